package i18n

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// msg is one catalog entry: a plain string is a message with the one
// form "other".
type msg struct {
	plural bool
	forms  map[string][]segment
}

// segment is literal text or, if isArg, the placeholder {arg}.
type segment struct {
	text  string
	arg   string
	isArg bool
}

// pluralForms names the CLDR plural categories as x/text numbers them.
var pluralForms = map[string]plural.Form{
	"zero": plural.Zero, "one": plural.One, "two": plural.Two,
	"few": plural.Few, "many": plural.Many, "other": plural.Other,
}

// Localizer renders messages, numbers and times for one language. It is
// safe for concurrent use.
type Localizer struct {
	tag language.Tag
	cat map[string]*msg
	en  map[string]*msg
	// p formats numbers; a Printer is immutable once made, so one serves
	// every goroutine.
	p *message.Printer
}

// Tag returns the language the localizer renders: the value for a
// Content-Language header or an HTML lang attribute.
func (l *Localizer) Tag() language.Tag { return l.tag }

// T renders the message key with named arguments given as pairs:
// T("count.declarations", "count", 3). A key the language's catalog lacks
// renders in English; a key no catalog has renders as the key itself, so
// that it is visible rather than blank. See Args for how values print.
func (l *Localizer) T(key string, pairs ...any) string {
	// The pairs are read where they are, without a map: a page makes
	// hundreds of these calls.
	return l.render(key, func(name string) (any, bool) {
		for i := 0; i+1 < len(pairs); i += 2 {
			if n, ok := pairs[i].(string); ok && n == name {
				return pairs[i+1], true
			}
		}
		return nil, false
	})
}

// Args renders the message key with named arguments. Integers and floats
// print with the language's digit grouping and decimal separator, strings
// as they are, anything else as fmt prints it. A plural message takes its
// form from the argument "count" (a number, or a string of decimal
// digits); without one it uses "other". A
// placeholder without an argument prints as itself ("{name}").
func (l *Localizer) Args(key string, args map[string]any) string {
	return l.render(key, func(name string) (any, bool) {
		v, ok := args[name]
		return v, ok
	})
}

// render renders the message key with the arguments arg finds.
func (l *Localizer) render(key string, arg func(name string) (any, bool)) string {
	m := l.cat[key]
	if m == nil {
		m = l.en[key]
	}
	if m == nil {
		return key
	}
	segs := m.forms["other"]
	if m.plural {
		count, _ := arg("count")
		if f, ok := m.forms[l.pluralForm(count)]; ok {
			segs = f
		}
	}
	if len(segs) == 1 && !segs[0].isArg {
		return segs[0].text
	}
	var b strings.Builder
	for _, s := range segs {
		if !s.isArg {
			b.WriteString(s.text)
			continue
		}
		v, ok := arg(s.arg)
		if !ok {
			b.WriteString("{" + s.arg + "}")
			continue
		}
		b.WriteString(l.format(v))
	}
	return b.String()
}

func (l *Localizer) format(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return l.p.Sprintf("%d", v)
	case float32, float64:
		return l.p.Sprint(v)
	}
	return fmt.Sprint(v)
}

// pluralForm returns the CLDR plural category of count in the language.
// The operands come from the shortest decimal form of the number, as CLDR
// defines them: 1 and 1.5 are different categories in many languages.
func (l *Localizer) pluralForm(count any) string {
	var s string
	switch v := count.(type) {
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		s = fmt.Sprint(v)
	case float64:
		s = strconv.FormatFloat(math.Abs(v), 'f', -1, 64)
	case float32:
		s = strconv.FormatFloat(math.Abs(float64(v)), 'f', -1, 32)
	case string:
		// A count given as text (as findings carry their arguments) keeps
		// the digits it was written with, so it selects by them too.
		if _, err := strconv.ParseFloat(v, 64); err != nil || strings.ContainsAny(v, "eEnN") {
			return "other"
		}
		s = v
	default:
		return "other"
	}
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	// CLDR rules look at the last digits only (n % 10, n % 100), so the
	// integer part is reduced to keep it within an int.
	if len(intPart) > 6 {
		intPart = intPart[len(intPart)-6:]
	}
	i, _ := strconv.Atoi(intPart)
	f, _ := strconv.Atoi(frac)
	form := plural.Cardinal.MatchPlural(l.tag, i, len(frac), len(frac), f, f)
	return formName(form)
}

func formName(form plural.Form) string {
	for name, f := range pluralForms {
		if f == form {
			return name
		}
	}
	return "other"
}
