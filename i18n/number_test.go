package i18n

import (
	"math"
	"strings"
	"testing"

	"golang.org/x/text/language"
	"pgregory.net/rapid"

	"github.com/indivisible-eurasia/indivisible"
)

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		tag      language.Tag
		f        float64
		decimals int
		want     string
	}{
		{English, 1234567.5, 1, "1,234,567.5"},
		{russian, 1234567.5, 1, "1" + nbsp + "234" + nbsp + "567,5"},
		{chinese, 1234567.5, 1, "1,234,567.5"},
		{English, 0.001, 3, "0.001"},
		{russian, 0.001, 3, "0,001"},
		{English, 2, 2, "2.00"},
		{russian, -1500, 0, "-1" + nbsp + "500"},
		{English, 999.96, 1, "1,000.0"},
	}
	for _, tt := range tests {
		if got := FormatNumber(tt.tag, tt.f, tt.decimals); got != tt.want {
			t.Errorf("FormatNumber(%v, %v, %d) = %q, want %q", tt.tag, tt.f, tt.decimals, got, tt.want)
		}
	}
}

func TestParseNumber(t *testing.T) {
	tests := []struct {
		tag  language.Tag
		in   string
		want float64
	}{
		{English, "0.001", 0.001},
		{English, "1,234.5", 1234.5},
		{English, "1,234,567", 1234567},
		{English, "1234567.25", 1234567.25},
		{English, " -12.5 ", -12.5},
		{English, "+7", 7},
		{English, "−3", -3}, // U+2212
		{English, "0", 0},
		{chinese, "1,234.5", 1234.5},
		{chinese, "0.001", 0.001},
		{russian, "0,001", 0.001},
		{russian, "0.001", 0.001}, // ASCII point: no Russian group separator is a point
		{russian, "1 234,5", 1234.5},
		{russian, "1" + nbsp + "234" + nbsp + "567,25", 1234567.25},
		{russian, "1\u202f234", 1234},   // narrow no-break space
		{russian, "12\u2009345", 12345}, // thin space
		{russian, "1,234", 1.234},       // a decimal comma, as Russian writes it
		{russian, "1 234.5", 1234.5},
		{language.German, "1.234,5", 1234.5}, // a language whose groups are points
		{language.German, "1,5", 1.5},
	}
	for _, tt := range tests {
		got, err := ParseNumber(tt.tag, tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseNumber(%v, %q) = %v, %v; want %v", tt.tag, tt.in, got, err, tt.want)
		}
	}
}

func TestParseNumberRejects(t *testing.T) {
	tests := []struct {
		tag  language.Tag
		in   string
		want string
	}{
		{English, "", "a number is required"},
		{English, "   ", "a number is required"},
		{English, "0,001", `"0,001" is ambiguous: ',' separates thousands`},
		{English, "1,5", `"1,5" is ambiguous`},
		{English, "1,2345", `"1,2345" is ambiguous`},
		{English, "1234,567", `"1234,567" is ambiguous`},
		{English, "1 234", `"1 234" is not a number: unexpected ' '`},
		{English, "1.2.3", `"1.2.3" has more than one decimal separator`},
		{English, "1.234,5", `"1.234,5" has a group separator after the decimal separator`},
		{English, "12abc", `"12abc" is not a number: unexpected 'a'`},
		{English, "1e5", `unexpected 'e'`},
		{English, "NaN", `unexpected 'N'`},
		{English, ".5", "needs digits on both sides"},
		{English, "5.", "needs digits on both sides"},
		{English, "-", "needs digits on both sides"},
		{English, ",123", "needs digits on both sides"},
		{English, "1" + strings.Repeat("0", 400), "is out of range"},
		{russian, "1.234,5", `"1.234,5" is ambiguous: both '.' and ',' could be the decimal separator`},
		{russian, "1,234.5", `"1,234.5" is ambiguous: both ',' and '.' could be the decimal separator`},
		{russian, "1 23,5", `"1 23,5" is ambiguous`},
		{russian, "1,2,3", "has more than one decimal separator"},
		{russian, "1 234,5 6", "has a group separator after the decimal separator"},
		{chinese, "0,001", `"0,001" is ambiguous`},
		{language.German, "0.001", `"0.001" is ambiguous: '.' separates thousands`},
	}
	for _, tt := range tests {
		_, err := ParseNumber(tt.tag, tt.in)
		if indivisible.ErrorCode(err) != indivisible.EINVALID || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseNumber(%v, %q) = %v, want EINVALID containing %q", tt.tag, tt.in, err, tt.want)
		}
	}
}

// Whatever FormatNumber writes, ParseNumber reads back, to the precision
// written, in every language of the catalogs.
func TestNumberRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		tag := rapid.SampledFrom(append(allTags, Pseudo)).Draw(t, "tag")
		decimals := rapid.IntRange(0, 6).Draw(t, "decimals")
		// Within ±1e9 with six decimals, 15 significant digits: what a
		// float64 holds exactly enough for the comparison below.
		x := rapid.Float64Range(-1e9, 1e9).Draw(t, "x")
		s := FormatNumber(tag, x, decimals)
		got, err := ParseNumber(tag, s)
		if err != nil {
			t.Fatalf("ParseNumber(%v, %q): %v", tag, s, err)
		}
		// Half a unit of the last digit written, plus the rounding of
		// reading that decimal back into a float64 (a few ulps of x).
		if tol := 0.5*math.Pow10(-decimals) + 4*math.Abs(x)*0x1p-52; math.Abs(got-x) > tol {
			t.Fatalf("%v: %v formatted %q, parsed %v: off by %v, more than %v", tag, x, s, got, math.Abs(got-x), tol)
		}
	})
}
