package forum

import (
	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/i18n"
)

// english words the rules' reasons for the record.
var english = i18n.Embedded().Localizer(i18n.English)

// phrase is a reason as a catalog phrase, from the key and pairs of
// argument names and values.
func phrase(key string, pairs ...string) *indivisible.Phrase {
	p := &indivisible.Phrase{Key: key}
	if len(pairs) > 0 {
		p.Args = map[string]string{}
		for i := 0; i+1 < len(pairs); i += 2 {
			p.Args[pairs[i]] = pairs[i+1]
		}
	}
	return p
}

// Say words a phrase in l's language; text, the record's English, stands
// for a missing phrase. A "kind" argument is a delegation kind's code,
// worded as "forum.delegation_kind.<code>", the pages' name for it.
func Say(l *i18n.Localizer, p *indivisible.Phrase, text string) string {
	if p == nil {
		return text
	}
	args := make(map[string]any, len(p.Args))
	for k, v := range p.Args {
		args[k] = v
	}
	if k, ok := p.Args["kind"]; ok {
		args["kind"] = l.T("forum.delegation_kind." + k)
	}
	return l.Args(p.Key, args)
}
