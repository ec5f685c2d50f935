package postgres_test

import (
	"testing"

	"github.com/indivisible-eurasia/indivisible/storetest"
)

func TestForumStore(t *testing.T) {
	storetest.TestForum(t, func(t *testing.T) storetest.ForumStore { return open(t) })
}
