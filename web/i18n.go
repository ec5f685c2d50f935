package web

import (
	"cmp"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/exchange"
	"github.com/indivisible-eurasia/indivisible/forum"
	"github.com/indivisible-eurasia/indivisible/i18n"
)

// The pages speak the languages of the embedded catalogs (i18n.Embedded)
// and the pseudo-locale. Each language has its own parsed copy of every
// page, whose T and TH functions look up that language's catalog: a
// template writes {{T "nav.forum"}} anywhere, in any nested template,
// without threading the reader's language through its data.

// bundle is the catalogs the pages are written in.
var bundle = i18n.Embedded()

// langPages holds every page in every language, parsed once at start-up.
var langPages = func() map[language.Tag]map[string]*template.Template {
	out := map[language.Tag]map[string]*template.Template{}
	for _, tag := range append(bundle.Languages(), i18n.Pseudo) {
		l := bundle.Localizer(tag)
		set := map[string]*template.Template{}
		for name, t := range pages {
			c := template.Must(t.Clone())
			set[name] = c.Funcs(localFuncs(l))
		}
		out[tag] = set
	}
	return out
}()

// localFuncs are the template functions that depend on the language.
// The ones in funcs are placeholders with the same signatures, so that
// the templates parse before a language is chosen.
func localFuncs(l *i18n.Localizer) template.FuncMap {
	return template.FuncMap{
		"T":  l.T,
		"TH": func(key string, pairs ...any) template.HTML { return localHTML(l, key, pairs...) },
		// finding is a finding's message in the language.
		"finding": func(f indivisible.Finding) string { return exchange.Localize(l, f) },
		// when is a time as the language writes it, in UTC, the zone
		// named: the log's clock, which every reader shares.
		"when": func(t time.Time) string { return l.FormatTime(t, nil) },
		// say words a phrase of the forum's record (forum.Say).
		"say": func(p *indivisible.Phrase, text string) string { return forum.Say(l, p, text) },
		// lang is the page's language, for <html lang>.
		"lang": func() string { return l.Tag().String() },
	}
}

// placeholderFuncs stand in for localFuncs while parsing.
var placeholderFuncs = localFuncs(bundle.Localizer(i18n.English))

// localHTML renders a message whose arguments may be markup (a link, a
// <code> element): the catalog's text is escaped, and only arguments of
// type template.HTML, which come from the templates, are inserted as
// they are. A translation can so never inject markup.
func localHTML(l *i18n.Localizer, key string, pairs ...any) template.HTML {
	var raw []string
	args := make([]any, len(pairs))
	copy(args, pairs)
	for i := 1; i < len(args); i += 2 {
		if h, ok := args[i].(template.HTML); ok {
			args[i] = "\x00" + strconv.Itoa(len(raw)) + "\x00"
			raw = append(raw, string(h))
		}
	}
	s := template.HTMLEscapeString(l.T(key, args...))
	for i, h := range raw {
		s = strings.Replace(s, template.HTMLEscapeString("\x00"+strconv.Itoa(i)+"\x00"), h, 1)
	}
	return template.HTML(s)
}

// loc returns the localizer of the request's language (set by
// i18n.Middleware).
func loc(r *http.Request) *i18n.Localizer {
	return bundle.Localizer(i18n.TagFrom(r.Context()))
}

// langLink is an entry of the header's language switch.
type langLink struct {
	// Tag is the language's BCP 47 tag; Name its name in itself
	// ("Русский"), so a reader finds their language whatever the page's.
	Tag, Name string
	Href      string
	Current   bool
}

// autonyms are the catalogs' languages named in themselves ("русский").
var autonyms = func() map[language.Tag]string {
	m := map[language.Tag]string{}
	for _, tag := range bundle.Languages() {
		m[tag] = cmp.Or(display.Self.Name(tag), tag.String())
	}
	return m
}()

// languageLinks returns the switch's entries: the page's own address with
// ?lang= set, which the middleware remembers in a cookie.
func languageLinks(r *http.Request, current language.Tag) []langLink {
	var out []langLink
	for _, tag := range bundle.Languages() {
		q := url.Values{}
		if r.Method == http.MethodGet {
			q = r.URL.Query()
		}
		q.Set(i18n.QueryParam, tag.String())
		path := r.URL.Path
		if r.Method != http.MethodGet {
			path = "/"
		}
		out = append(out, langLink{Tag: tag.String(), Name: autonyms[tag], Href: path + "?" + q.Encode(), Current: tag == current})
	}
	return out
}
