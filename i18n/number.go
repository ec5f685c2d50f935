package i18n

import (
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"

	"github.com/indivisible-eurasia/indivisible"
)

// FormatNumber formats f with exactly decimals digits after the decimal
// separator, grouped, in the language's CLDR notation: 1234.5 with one
// decimal is "1,234.5" in English and Chinese, "1 234,5" (with a
// no-break space) in Russian.
func FormatNumber(tag language.Tag, f float64, decimals int) string {
	return printer(tag).Sprint(number.Decimal(f, number.Scale(decimals)))
}

var printers sync.Map // language.Tag → *message.Printer

// printer returns the language's printer, made once: making one costs
// more than formatting with it, and a page formats a number per state.
// A Printer is not changed after it is made, so goroutines share it.
func printer(tag language.Tag) *message.Printer {
	if p, ok := printers.Load(tag); ok {
		return p.(*message.Printer)
	}
	p, _ := printers.LoadOrStore(tag, message.NewPrinter(tag))
	return p.(*message.Printer)
}

// symbols are a language's decimal and group separators.
type symbols struct {
	decimal, group rune
}

var symbolCache sync.Map // language.Tag → symbols

// symbolsOf reads the separators off the CLDR formatting of a known
// number, so that any language x/text knows works without a table here.
func symbolsOf(tag language.Tag) symbols {
	if s, ok := symbolCache.Load(tag); ok {
		return s.(symbols)
	}
	s := symbols{decimal: '.', group: ','}
	// "1,234.5": the rune after the first digit groups, the one before
	// the last digit is the decimal separator.
	out := FormatNumber(tag, 1234.5, 1)
	if r, n := utf8.DecodeRuneInString(out[1:]); r != '2' && n > 0 {
		s.group = r
	}
	if r, _ := utf8.DecodeLastRuneInString(strings.TrimSuffix(out, "5")); r != '4' {
		s.decimal = r
	}
	symbolCache.Store(tag, s)
	return s
}

// spaceLike reports whether r is a space a group separator may be typed
// as: CLDR's Russian separator is a no-break space, which no one types;
// people type a space, and text pasted from documents brings narrow
// no-break or thin spaces.
func spaceLike(r rune) bool {
	return unicode.Is(unicode.White_Space, r) && r != '\n' && r != '\r' && r != '\t'
}

// ParseNumber reads a number typed by a reader of the language tag: with
// the language's decimal separator and, in the integer part, its group
// separator ("1 234,5" or "0,001" in Russian, "1,234.5" in English and
// Chinese). A plain ASCII point is a decimal separator in every language
// where it does not group digits, so "0.001" reads the same everywhere.
// Input that could mean two numbers is refused, not guessed: "0,001" in
// English (a group separator where a decimal was surely meant), "1.234,5"
// in Russian (two decimal separators), "1,5" in English (a group of one
// digit). Errors are EINVALID and quote what was typed. Digits are ASCII:
// a language whose CLDR numbers use other digits (Arabic) would need them
// mapped here first.
func ParseNumber(tag language.Tag, s string) (float64, error) {
	sym := symbolsOf(tag)
	typed := s
	s = strings.TrimFunc(s, unicode.IsSpace)
	if s == "" {
		return 0, indivisible.Invalid("", "a number is required")
	}
	isGroup := func(r rune) bool { return r == sym.group || spaceLike(sym.group) && spaceLike(r) }
	isDecimal := func(r rune) bool { return r == sym.decimal || r == '.' && !isGroup('.') }

	var b strings.Builder
	switch r, n := utf8.DecodeRuneInString(s); r {
	case '-', '−': // ASCII hyphen-minus and U+2212, which CLDR formats use
		b.WriteByte('-')
		s = s[n:]
	case '+':
		s = s[n:]
	}
	var (
		groups   []int // lengths of the digit runs between group separators
		run      int
		decimal  rune // the decimal separator seen, if any
		fraction int
	)
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
			if decimal != 0 {
				fraction++
			} else {
				run++
			}
		case isDecimal(r):
			if decimal != 0 {
				if decimal != r {
					return 0, indivisible.Invalid("", "%q is ambiguous: both %q and %q could be the decimal separator; use one of them and no group separator", typed, decimal, r)
				}
				return 0, indivisible.Invalid("", "%q has more than one decimal separator %q", typed, r)
			}
			decimal = r
			groups = append(groups, run)
			b.WriteByte('.')
		case isGroup(r) && decimal == 0:
			groups = append(groups, run)
			run = 0
		case isGroup(r):
			return 0, indivisible.Invalid("", "%q has a group separator after the decimal separator", typed)
		default:
			return 0, indivisible.Invalid("", "%q is not a number: unexpected %q", typed, r)
		}
	}
	if decimal == 0 {
		groups = append(groups, run)
	}
	if groups[0] == 0 || decimal != 0 && fraction == 0 {
		return 0, indivisible.Invalid("", "%q is not a number: a separator needs digits on both sides", typed)
	}
	digits := strings.TrimPrefix(b.String(), "-")
	if len(groups) > 1 && !thousands(groups, digits[0]) {
		return 0, indivisible.Invalid("", "%q is ambiguous: %q separates thousands in this language, not decimals (write the number without it, or with a point for decimals)", typed, sym.group)
	}
	f, err := strconv.ParseFloat(b.String(), 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, indivisible.Invalid("", "%q is out of range", typed)
	}
	return f, nil
}

// thousands reports whether the runs of digits between group separators
// are thousands grouping: one to three digits, not starting with a zero,
// then groups of exactly three. Anything else is a decimal separator
// mistyped as a group separator ("0,001" or "1,5" in English).
func thousands(groups []int, first byte) bool {
	if groups[0] > 3 || first == '0' {
		return false
	}
	for _, g := range groups[1:] {
		if g != 3 {
			return false
		}
	}
	return true
}
