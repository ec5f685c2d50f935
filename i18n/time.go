package i18n

import (
	"strconv"
	"time"

	"golang.org/x/text/language"
)

// FormatTime formats t in loc (UTC if nil) in the customary pattern of
// the embedded catalog's language, with the time zone named; see
// Localizer.FormatTime.
func FormatTime(tag language.Tag, t time.Time, loc *time.Location) string {
	return Embedded().Localizer(tag).FormatTime(t, loc)
}

// FormatTime formats t in loc (UTC if nil) as the language writes a date
// and time: "7 December 2026, 15:04 UTC", "7 декабря 2026 г., 15:04 UTC",
// "2026年12月7日 15:04 UTC". The pattern ("date.datetime") and the month
// names ("date.month.1" to "date.month.12", in the grammatical case the
// pattern needs, such as the Russian genitive) are catalog messages, so a
// new language brings its own. The time is on the 24-hour clock, and the
// zone is loc's abbreviation ("MSK") or, where it has none, its offset
// ("+0530"): a time in a shared record must say which clock it is on.
func (l *Localizer) FormatTime(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	// Years and days are plain digits: "2026", never the grouped "2 026".
	return l.T("date.datetime",
		"day", strconv.Itoa(t.Day()),
		"month", l.T("date.month."+strconv.Itoa(int(t.Month()))),
		"year", strconv.Itoa(t.Year()),
		"time", t.Format("15:04"),
		"zone", t.Format("MST"))
}
