package forum

import (
	"context"
	"slices"

	"golang.org/x/text/language"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/i18n"
)

// The forum's record is published: each read authorises ActRead (which
// every role, and a visitor, has) and checks that what the path names
// belongs together, so that /forums/1/items/7 is not item 7 of forum 2.
// Views computed from the rules (standings, outcomes) are in view.go.

func read(acc *indivisible.Account) error {
	return indivisible.Authorize(acc, indivisible.ActRead, "")
}

// Forums lists the forums.
func (s *Service) Forums(ctx context.Context, acc *indivisible.Account) ([]*indivisible.Forum, error) {
	if err := read(acc); err != nil {
		return nil, err
	}
	return s.cfg.Store.Forums(ctx)
}

// Forum returns a forum.
func (s *Service) Forum(ctx context.Context, acc *indivisible.Account, id int64) (*indivisible.Forum, error) {
	if err := read(acc); err != nil {
		return nil, err
	}
	return s.cfg.Store.Forum(ctx, id)
}

// ofForum reads a forum's records with list, ENOTFOUND if there is no
// such forum.
func ofForum[T any](ctx context.Context, s *Service, acc *indivisible.Account, forumID int64, list func(context.Context, int64) ([]T, error)) ([]T, error) {
	if _, err := s.Forum(ctx, acc, forumID); err != nil {
		return nil, err
	}
	return list(ctx, forumID)
}

// Sessions lists a forum's sessions.
func (s *Service) Sessions(ctx context.Context, acc *indivisible.Account, forumID int64) ([]*indivisible.Session, error) {
	return ofForum(ctx, s, acc, forumID, s.cfg.Store.Sessions)
}

// Delegations lists a forum's delegations, in every status.
func (s *Service) Delegations(ctx context.Context, acc *indivisible.Account, forumID int64) ([]*indivisible.Delegation, error) {
	return ofForum(ctx, s, acc, forumID, s.cfg.Store.Delegations)
}

// Experts lists a forum's panel.
func (s *Service) Experts(ctx context.Context, acc *indivisible.Account, forumID int64) ([]*indivisible.Expert, error) {
	return ofForum(ctx, s, acc, forumID, s.cfg.Store.Experts)
}

// Questions lists a forum's Delphi questions.
func (s *Service) Questions(ctx context.Context, acc *indivisible.Account, forumID int64) ([]*indivisible.Question, error) {
	return ofForum(ctx, s, acc, forumID, s.cfg.Store.Questions)
}

// Session returns a session of forumID (ENOTFOUND if it is another
// forum's).
func (s *Service) Session(ctx context.Context, acc *indivisible.Account, forumID, id int64) (*indivisible.Session, error) {
	if err := read(acc); err != nil {
		return nil, err
	}
	se, err := s.cfg.Store.Session(ctx, id)
	if err == nil && se.ForumID != forumID {
		err = indivisible.FieldErrorf(indivisible.ENOTFOUND, "session", "no session %d in forum %d", id, forumID)
	}
	return se, err
}

// Items lists the agenda of a session of forumID.
func (s *Service) Items(ctx context.Context, acc *indivisible.Account, forumID, sessionID int64) ([]*indivisible.AgendaItem, error) {
	if _, err := s.Session(ctx, acc, forumID, sessionID); err != nil {
		return nil, err
	}
	return s.cfg.Store.Items(ctx, sessionID)
}

// ofItem reads an item's records with list, ENOTFOUND if forumID has no
// such item.
func ofItem[T any](ctx context.Context, s *Service, acc *indivisible.Account, forumID, itemID int64, list func(context.Context, int64) (T, error)) (T, error) {
	var zero T
	if err := read(acc); err != nil {
		return zero, err
	}
	if _, err := s.item(ctx, forumID, itemID); err != nil {
		return zero, err
	}
	return list(ctx, itemID)
}

// Versions lists an item's proposal versions, oldest first.
func (s *Service) Versions(ctx context.Context, acc *indivisible.Account, forumID, itemID int64) ([]*indivisible.ProposalVersion, error) {
	return ofItem(ctx, s, acc, forumID, itemID, s.cfg.Store.Versions)
}

// Comments lists an item's comments.
func (s *Service) Comments(ctx context.Context, acc *indivisible.Account, forumID, itemID int64) ([]*indivisible.Comment, error) {
	return ofItem(ctx, s, acc, forumID, itemID, s.cfg.Store.Comments)
}

// Speakers lists an item's speakers' list, done requests included.
func (s *Service) Speakers(ctx context.Context, acc *indivisible.Account, forumID, itemID int64) ([]*indivisible.Speaker, error) {
	return ofItem(ctx, s, acc, forumID, itemID, s.cfg.Store.Speakers)
}

// Positions lists every position taken on an item, in log order; which
// of them count is the rule's business (ItemView's standings).
func (s *Service) Positions(ctx context.Context, acc *indivisible.Account, forumID, itemID int64) ([]*indivisible.Position, error) {
	return ofItem(ctx, s, acc, forumID, itemID, s.cfg.Store.Positions)
}

// Decision returns a closed item's decision (ENOTFOUND while it is open).
func (s *Service) Decision(ctx context.Context, acc *indivisible.Account, forumID, itemID int64) (*indivisible.Decision, error) {
	return ofItem(ctx, s, acc, forumID, itemID, s.cfg.Store.Decision)
}

// OutcomeDocument returns a closed item's outcome document in the
// language lang (a BCP 47 tag; the catalogs' best match is used, English
// for none). English is the record itself, the bytes whose SHA-256 the
// decision's log entry carries. Any other language is rewritten from the
// same records, with participants named in that language, and says that
// it is a translation of the record with that hash: the translation is
// reproducible, but it is not what the log attests.
func (s *Service) OutcomeDocument(ctx context.Context, acc *indivisible.Account, forumID, itemID int64, lang string) (string, error) {
	d, err := s.Decision(ctx, acc, forumID, itemID)
	if err != nil {
		return "", err
	}
	tag, err := language.Parse(lang)
	if err != nil {
		tag = i18n.English
	}
	l := i18n.Embedded().Localizer(tag)
	if l.Tag() == i18n.English {
		return d.Document, nil
	}
	it, err := s.item(ctx, forumID, itemID)
	if err != nil {
		return "", err
	}
	f, err := s.cfg.Store.Forum(ctx, forumID)
	if err != nil {
		return "", err
	}
	vs, err := s.cfg.Store.Versions(ctx, itemID)
	if err != nil {
		return "", err
	}
	i := slices.IndexFunc(vs, func(v *indivisible.ProposalVersion) bool { return v.Number == d.Version })
	if i < 0 {
		return "", indivisible.Errorf(indivisible.EINTERNAL, "item %d: the decided version %d is missing", itemID, d.Version)
	}
	ps, err := s.cfg.Store.Positions(ctx, itemID)
	if err != nil {
		return "", err
	}
	name := func(code string) string {
		if n, ok := i18n.RegionName(l.Tag(), code); ok {
			return n
		}
		return s.name(code)
	}
	return Document(Record{Forum: f, Item: it, Version: vs[i], Decision: d, Positions: ps, Name: name, Lang: l}), nil
}
