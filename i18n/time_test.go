package i18n

import (
	"testing"
	"time"

	"golang.org/x/text/language"
)

func TestFormatTime(t *testing.T) {
	at := time.Date(2026, 12, 7, 15, 4, 5, 0, time.UTC)
	late := time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC)
	msk := time.FixedZone("MSK", 3*60*60)
	ist := time.FixedZone("", 5*60*60+30*60) // a zone without an abbreviation
	tests := []struct {
		tag  language.Tag
		t    time.Time
		loc  *time.Location
		want string
	}{
		{English, at, time.UTC, "7 December 2026, 15:04 UTC"},
		{russian, at, time.UTC, "7 декабря 2026 г., 15:04 UTC"},
		{chinese, at, time.UTC, "2026年12月7日 15:04 UTC"},
		{English, at, nil, "7 December 2026, 15:04 UTC"},
		{russian, at, msk, "7 декабря 2026 г., 18:04 MSK"},
		// 23:30 UTC on 1 March is 02:30 on 2 March in Moscow.
		{russian, late, msk, "2 марта 2026 г., 02:30 MSK"},
		{chinese, late, msk, "2026年3月2日 02:30 MSK"},
		{English, late, ist, "2 March 2026, 05:00 +0530"},
		{language.MustParse("ru-BY"), time.Date(2027, 5, 9, 10, 0, 0, 0, time.UTC), time.UTC, "9 мая 2027 г., 10:00 UTC"},
		{language.MustParse("zh-TW"), at, time.UTC, "2026年12月7日 15:04 UTC"},
		{language.French, at, time.UTC, "7 December 2026, 15:04 UTC"},
	}
	for _, tt := range tests {
		if got := FormatTime(tt.tag, tt.t, tt.loc); got != tt.want {
			t.Errorf("FormatTime(%v, %v, %v) = %q, want %q", tt.tag, tt.t, tt.loc, got, tt.want)
		}
	}
}

func TestRegionName(t *testing.T) {
	tests := []struct {
		tag  language.Tag
		iso3 string
		want string
		ok   bool
	}{
		{English, "RUS", "Russia", true},
		{russian, "RUS", "Россия", true},
		{chinese, "RUS", "俄罗斯", true},
		{English, "CHN", "China", true},
		{russian, "CHN", "Китай", true},
		{chinese, "CHN", "中国", true},
		{russian, "KAZ", "Казахстан", true},
		{chinese, "KAZ", "哈萨克斯坦", true},
		{russian, "BLR", "Беларусь", true},
		{chinese, "BLR", "白俄罗斯", true},
		{russian, "DEU", "Германия", true},
		{chinese, "USA", "美国", true},
		{English, "GBR", "United Kingdom", true},
		{language.MustParse("zh-CN"), "ARM", "亚美尼亚", true},
		{language.Und, "RUS", "Russia", true}, // no CLDR names: English
		{English, "ru", "", false},            // alpha-2
		{English, "643", "", false},           // numeric
		{English, "rus", "", false},           // lower case
		{English, "ZZZ", "", false},           // unknown region
		{English, "AAA", "", false},           // user-assigned
		{English, "EUR", "", false},           // not a country
		{English, "RUSS", "", false},          // too long
		{English, "", "", false},
	}
	for _, tt := range tests {
		got, ok := RegionName(tt.tag, tt.iso3)
		if got != tt.want || ok != tt.ok {
			t.Errorf("RegionName(%v, %q) = %q, %v; want %q, %v", tt.tag, tt.iso3, got, ok, tt.want, tt.ok)
		}
	}
}
