package ledger

import (
	"context"
	"crypto/rand"
	"errors"
	"io/fs"
	"os"
	"strings"
	"sync"

	"golang.org/x/mod/sumdb/note"

	"github.com/indivisible-eurasia/indivisible"
)

// FileAttester signs entry bodies as Participant with a key kept in a
// file, KeyPath (NAME.key, mode 0600, with NAME.pub beside it): the
// service's own key, with which it vouches for the entries it records
// for others (a forum position taken in the browser, a decision). The key
// is made and registered in Log on first use, so a log never gets the
// key's entry unless something is attested; a key whose registration the
// log lacks (a database restored from before it) is registered again.
type FileAttester struct {
	Log         *Log
	Participant string
	KeyPath     string

	mu     sync.Mutex
	signer note.Signer
}

// Attest signs body, returning the key's name and the signature.
func (a *FileAttester) Attest(ctx context.Context, body []byte) (string, []byte, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.signer == nil {
		s, err := a.load(ctx)
		if err != nil {
			return "", nil, err
		}
		a.signer = s
	}
	sig, err := a.signer.Sign(body)
	if err != nil {
		return "", nil, indivisible.Errorf(indivisible.EINTERNAL, "attest: %v", err)
	}
	return a.signer.Name(), sig, nil
}

// load reads the key, making it if there is none, and registers it if the
// log does not have it.
func (a *FileAttester) load(ctx context.Context) (note.Signer, error) {
	pubPath := strings.TrimSuffix(a.KeyPath, ".key") + ".pub"
	if _, err := os.Stat(a.KeyPath); errors.Is(err, fs.ErrNotExist) {
		skey, vkey, err := NewKey(rand.Reader, a.Participant)
		if err != nil {
			return nil, err
		}
		if err := WriteKeyFile(a.KeyPath, skey); err != nil {
			return nil, err
		}
		if err := os.WriteFile(pubPath, []byte(vkey+"\n"), 0o644); err != nil {
			os.Remove(a.KeyPath)
			return nil, indivisible.Invalid(pubPath, "%v", err)
		}
	}
	s, err := LoadSigner(a.KeyPath)
	if err != nil {
		return nil, err
	}
	vkey, err := ReadVerifierKey(pubPath)
	if err != nil {
		return nil, err
	}
	keys, err := a.Log.Keys(ctx)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if k.Name == s.Name() {
			return s, nil
		}
	}
	if _, err := a.Log.RegisterKey(ctx, a.Participant, vkey); err != nil {
		return nil, err
	}
	return s, nil
}
