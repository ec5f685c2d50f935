package jsontest_test

import (
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/exchange"
	"github.com/indivisible-eurasia/indivisible/forum"
	"github.com/indivisible-eurasia/indivisible/jsontest"
)

// FuzzStrictAgreement checks that the service has one meaning of "strict":
// whatever this package's independent reader refuses (a duplicate name,
// invalid UTF-8, trailing data, bad syntax), the generic decoder, the
// declaration parser and the position parser refuse too; and the generic
// decoder accepts every document the independent reader accepts.
func FuzzStrictAgreement(f *testing.F) {
	for _, s := range []string{
		`{"a":1}`, `{"a":1,"a":2}`, `{"a":1,"A":2}`, `[1,2,{"x":null}]`, `{"a":"` + "\xff" + `"}`,
		`{"a":1} 2`, "0\f", "{}\v", `"\ud800"`, `{"kind":"annual_exchange","participant":"POL","kind":"transfer"}`,
		`{"type":"indivisible.forum.position/v1","stance":"support","stance":"object"}`, `1e400`, `{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, indep := jsontest.Parse(data)
		var generic any
		errGeneric := indivisible.DecodeStrict(data, &generic)
		if indep == nil && errGeneric != nil && string(data) != "null" {
			t.Fatalf("%q: the independent reader accepts it but DecodeStrict says %v", data, errGeneric)
		}
		if indep == nil {
			return
		}
		if errGeneric == nil {
			t.Fatalf("%q: the independent reader refuses it (%v) but DecodeStrict accepts it", data, indep)
		}
		if d, err := exchange.Parse(data, nil); err == nil {
			t.Fatalf("%q: refused by the independent reader (%v) but parsed as a declaration %+v", data, indep, d)
		}
		if p, err := forum.ParsePositionBody(data); err == nil {
			t.Fatalf("%q: refused by the independent reader (%v) but parsed as a position %+v", data, indep, p)
		}
	})
}
