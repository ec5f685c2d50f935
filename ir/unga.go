package ir

import (
	"io"
	"time"
)

// RollCall is one UN General Assembly roll call (Voeten, Strezhnev &
// Bailey; the unvotes R package).
type RollCall struct {
	RCID    int // joins the votes
	Session int // General Assembly session, 1 from 1946
	// Date is the day of the vote; its year is the year of the roll call
	// for Affinity.
	Date time.Time
	// Important is importantvote == 1: the US State Department listed the
	// vote as important. Its lists begin with session 39, and the field is
	// empty, read as false, for 605 roll calls of sessions 52-74.
	Important bool
}

// ReadRollCalls reads the UNGA roll-call CSV (unga/roll-calls.csv), with
// exactly the header rcid,session,importantvote,date,unres,amend,para,
// short,descr. It parses rcid, session, importantvote (0, 1 or empty for
// false) and date (YYYY-MM-DD); the other columns, whose text may hold
// commas, quotes and the source's mojibake, must be present but are not
// read. name is the file name used in error messages. It rejects a
// repeated rcid, since votes join on it.
func ReadRollCalls(r io.Reader, name string) ([]RollCall, error) {
	t, err := newTable(r, name, "rcid", "session", "importantvote", "date", "unres", "amend", "para", "short", "descr")
	if err != nil {
		return nil, err
	}
	seen := map[int]int{}
	var out []RollCall
	for {
		ok, err := t.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		var c RollCall
		if c.RCID, err = t.int(0, 1, 1<<31-1); err != nil {
			return nil, err
		}
		if line, dup := seen[c.RCID]; dup {
			return nil, t.errorf(0, "roll call %d has a second row (first on line %d)", c.RCID, line)
		}
		seen[c.RCID] = t.line()
		if c.Session, err = t.int(1, 1, maxCcode); err != nil {
			return nil, err
		}
		if t.rec[2] != "" { // empty: not on a State Department list
			if c.Important, err = t.flag(2); err != nil {
				return nil, err
			}
		}
		if c.Date, err = t.date(3); err != nil {
			return nil, err
		}
		if y := c.Date.Year(); y < minYear || y > maxYear {
			return nil, t.errorf(3, "year %d is outside %d..%d", y, minYear, maxYear)
		}
		out = append(out, c)
	}
}

// Vote choices, Voeten's codes: the order makes |a - b| a distance, 1
// between yes and abstain or abstain and no, 2 between yes and no.
const (
	voteYes     = 1
	voteAbstain = 2
	voteNo      = 3
)

// Vote is one state's vote on one roll call.
type Vote struct {
	RCID   int
	Ccode  int  // COW code
	Choice int8 // 1 yes, 2 abstain, 3 no (Voeten's codes)
}

// frgName is the unvotes name of the Federal Republic of Germany, which
// countrycode's list lacks because it maps Germany to 255 only; the shared
// data's README gives it COW 260 (1973-1990).
const (
	frgName  = "Federal Republic of Germany"
	frgCcode = 260
)

// ReadVotes reads the UNGA votes CSV (unga/votes.csv), with exactly the
// header rcid,country,country_code,vote. The country column, countrycode's
// English name, is mapped to a COW code through codes (its Name), and
// "Federal Republic of Germany", which codes lack, to 260; country_code
// (ISO 3166-1 alpha-2, empty or retired for some states) must be present
// but is not read. vote is yes, abstain or no. name is the file name used
// in error messages. It rejects a name not in codes and a state voting
// twice on one roll call.
func ReadVotes(r io.Reader, name string, codes []CountryCode) ([]Vote, error) {
	t, err := newTable(r, name, "rcid", "country", "country_code", "vote")
	if err != nil {
		return nil, err
	}
	// Each name maps to its COW code and to a dense index of the distinct
	// codes, the bit of that state in the per-roll-call sets below.
	type target struct{ ccode, bit int }
	bits := map[int]int{}
	stateOf := func(c int) target {
		b, ok := bits[c]
		if !ok {
			b = len(bits)
			bits[c] = b
		}
		return target{c, b}
	}
	states := make(map[string]target, len(codes)+1)
	states[frgName] = stateOf(frgCcode)
	for _, c := range codes {
		states[c.Name] = stateOf(c.Cown) // a crosswalk entry of that name takes precedence
	}
	// voted holds, per roll call, the set of states that voted on it, to
	// catch a state voting twice (two names of one COW code included). A
	// bitset per roll call rather than one map entry per vote keeps the
	// check in cache: rows of a roll call come together, so the last set
	// is nearly always the one needed.
	words := (len(bits) + 63) / 64
	voted := map[int][]uint64{}
	lastRCID, lastSet := 0, []uint64(nil)
	var out []Vote
	for {
		ok, err := t.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		var v Vote
		if v.RCID, err = t.int(0, 1, 1<<31-1); err != nil {
			return nil, err
		}
		s, ok := states[t.rec[1]]
		if !ok {
			return nil, t.errorf(1, "%q is not a country.name.en of the country codes", t.rec[1])
		}
		v.Ccode = s.ccode
		switch t.rec[3] {
		case "yes":
			v.Choice = voteYes
		case "abstain":
			v.Choice = voteAbstain
		case "no":
			v.Choice = voteNo
		default:
			return nil, t.errorf(3, "%q is not yes, abstain or no", t.rec[3])
		}
		if lastSet == nil || v.RCID != lastRCID {
			lastRCID, lastSet = v.RCID, voted[v.RCID]
			if lastSet == nil {
				lastSet = make([]uint64, words)
				voted[v.RCID] = lastSet
			}
		}
		w, m := s.bit/64, uint64(1)<<(s.bit%64)
		if lastSet[w]&m != 0 {
			return nil, t.errorf(1, "state %d votes a second time on roll call %d", v.Ccode, v.RCID)
		}
		lastSet[w] |= m
		out = append(out, v)
	}
}
