package exchange

import (
	"strings"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/i18n"
)

// A finding's message is the catalog message Finding.Key with the
// arguments Finding.Args, so that each surface renders it in its reader's
// language; Finding.Message is the English rendering, made by the same
// code. The arguments are data (codes, counts, dates as the log has them),
// and this file knows which of them need words of their own:
//
//   - codes (a category, a declaration kind) are named by the catalog
//     family codeArgs gives; a code the catalog lacks, such as a
//     scenario's own category, prints as itself;
//   - a phrase argument holds the variant of a nested phrase (a
//     correction's problem, how a notice was due) and renders the message
//     of that name in the phrase's family, with the finding's arguments;
//   - a measure list ("personnel:45000:9000,battle_tanks:700:250")
//     renders each item with its message, joined by the list's separator.
//
// Phrases nest one level only, and no argument of a phrase is a phrase, so
// rendering needs no recursion.

// codeArgs maps the arguments holding a code to the catalog family of
// their names.
var codeArgs = map[string]string{
	"category":      "finding.category.",
	"measure":       "finding.category.",
	"kind":          "finding.kind.",
	"declared_kind": "finding.kind.",
}

// phrase is a nested phrase: its message is family + the argument's value,
// and its plural form follows the argument count names, if any.
type phrase struct {
	family, count string
}

var phraseArgs = map[string]phrase{
	"problem":   {family: "finding.invalid_correction."},
	"activity":  {family: "finding.activity."},
	"due_rule":  {family: "finding.late_notification.", count: "notice_days"},
	"threshold": {family: "finding.near_threshold."},
	"class":     {family: "finding.constraint_exceeded."},
	"span":      {family: "finding.constraint_exceeded.", count: "calendar_years"},
}

// measureList is a list argument: items "measure:level" or
// "measure:value:threshold", each rendered by item, joined by sep.
type measureList struct {
	item, sep string
}

var listArgs = map[string]measureList{
	"size":      {item: "finding.size.item", sep: "finding.list.and"},
	"above":     {item: "finding.level.item", sep: "finding.list.or"},
	"not_above": {item: "finding.level.item", sep: "finding.list.or"},
}

// Localize renders a finding in the language of l. A finding without a key
// (from a log checked before findings had one) keeps its English message.
func Localize(l *i18n.Localizer, f indivisible.Finding) string {
	if f.Key == "" {
		return f.Message
	}
	return render(l, f.Key, f.Args)
}

func render(l *i18n.Localizer, key string, args map[string]string) string {
	base := make(map[string]any, len(args))
	for name, v := range args {
		switch {
		case codeArgs[name] != "":
			base[name] = codeName(l, codeArgs[name], v)
		case listArgs[name] != measureList{}:
			base[name] = renderList(l, listArgs[name], v)
		default:
			base[name] = v
		}
	}
	vals := make(map[string]any, len(base))
	for name, v := range base {
		p, ok := phraseArgs[name]
		if !ok {
			vals[name] = v
			continue
		}
		sub := base
		if p.count != "" {
			sub = make(map[string]any, len(base)+1)
			for k, v := range base {
				sub[k] = v
			}
			sub["count"] = args[p.count]
		}
		vals[name] = l.Args(p.family+args[name], sub)
	}
	return l.Args(key, vals)
}

// codeName is the catalog's name of code in family, or code itself if the
// catalog has none (Args renders an unknown key as the key).
func codeName(l *i18n.Localizer, family, code string) string {
	if s := l.Args(family+code, nil); s != family+code {
		return s
	}
	return code
}

func renderList(l *i18n.Localizer, list measureList, v string) string {
	var items []string
	for _, item := range strings.Split(v, ",") {
		f := strings.Split(item, ":")
		a := map[string]any{"measure": codeName(l, codeArgs["measure"], f[0]), "value": f[1]}
		if len(f) > 2 {
			a["threshold"] = f[2]
		}
		items = append(items, l.Args(list.item, a))
	}
	return strings.Join(items, l.T(list.sep))
}

// english renders a finding's message in English, the text of
// Finding.Message.
func english(key string, args map[string]string) string {
	return render(i18n.Embedded().Localizer(i18n.English), key, args)
}
