package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strconv"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/exchange"
	"github.com/indivisible-eurasia/indivisible/ledger"
)

// Ledger is what the declaration routes need of the log, beyond the tiles
// (package ledger's *Log); the key routes go through the accounts
// service.
type Ledger interface {
	Log
	Entries(ctx context.Context, start, end int64) ([]indivisible.Entry, error)
	ProveInclusion(ctx context.Context, index int64) (*ledger.InclusionProof, error)
}

// submission is the body of POST /api/v1/declarations: the declaration's
// exact bytes (base64, so that nothing re-encodes them), the signing key's
// name and the Ed25519 signature over those bytes.
type submission struct {
	Declaration string `json:"declaration"`
	KeyName     string `json:"key_name"`
	Signature   string `json:"signature"`
}

// entryView is a log entry as the API shows it: a declaration's body is
// included as JSON, next to its exact base64 bytes.
type entryView struct {
	Index       int64           `json:"index"`
	Time        string          `json:"time"`
	Kind        string          `json:"kind"`
	Participant string          `json:"participant"`
	KeyName     string          `json:"key_name,omitempty"`
	Signature   string          `json:"signature,omitempty"`
	Body        string          `json:"body"`
	Declaration json.RawMessage `json:"declaration,omitempty"`
}

const timeFormat = "2006-01-02T15:04:05.000Z07:00"

func viewEntry(e indivisible.Entry) entryView {
	v := entryView{Index: e.Index, Time: e.Time.UTC().Format(timeFormat), Kind: string(e.Kind), Participant: e.Participant,
		KeyName: e.KeyName, Body: base64.StdEncoding.EncodeToString(e.Body)}
	if len(e.Signature) > 0 {
		v.Signature = base64.StdEncoding.EncodeToString(e.Signature)
	}
	if e.Kind == indivisible.KindDeclaration && json.Valid(e.Body) {
		v.Declaration = e.Body
	}
	return v
}

func (s *Server) submitDeclaration(w http.ResponseWriter, r *http.Request) (int, any, error) {
	// Anyone without a token is turned away before the body is read.
	if account(r) == indivisible.Anonymous {
		return 0, nil, indivisible.Errorf(indivisible.EUNAUTHORIZED, "filing a declaration needs a delegation's API token")
	}
	req, err := decode[submission](s, w, r)
	if err != nil {
		return 0, nil, err
	}
	body, err := base64.StdEncoding.DecodeString(req.Declaration)
	if err != nil {
		return 0, nil, indivisible.Invalid("declaration", "not base64: %v", err)
	}
	sig, err := base64.StdEncoding.DecodeString(req.Signature)
	if err != nil {
		return 0, nil, indivisible.Invalid("signature", "not base64: %v", err)
	}
	f, err := s.cfg.Exchange.File(r.Context(), account(r), body, req.KeyName, sig)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, map[string]any{"entry": viewEntry(f.Entry), "proof": string(f.Proof)}, nil
}

// listDeclarations pages through the log's declarations, oldest first:
// ?after=INDEX&limit=N (default 100, at most 1000), filtered by
// ?participant= and ?kind= (the declaration kind).
func (s *Server) listDeclarations(w http.ResponseWriter, r *http.Request) (int, any, error) {
	if err := indivisible.Authorize(account(r), indivisible.ActRead, ""); err != nil {
		return 0, nil, err
	}
	q := r.URL.Query()
	start, limit := int64(0), 100
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < -1 || n == math.MaxInt64 {
			return 0, nil, indivisible.Invalid("after", "%q is not an index of the log", v)
		}
		start = n + 1
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return 0, nil, indivisible.Invalid("limit", "must be 1 to 1000")
		}
		limit = n
	}
	participant, kind := q.Get("participant"), q.Get("kind")
	cp, err := s.cfg.Ledger.Checkpoint(r.Context())
	if err != nil {
		return 0, nil, err
	}
	out := []entryView{}
	next := int64(-1)
	const chunk = 1000
	for lo := start; lo < cp.Size && len(out) < limit; lo += chunk {
		es, err := s.cfg.Ledger.Entries(r.Context(), lo, min(lo+chunk, cp.Size))
		if err != nil {
			return 0, nil, err
		}
		for _, e := range es {
			if e.Kind != indivisible.KindDeclaration || participant != "" && e.Participant != participant {
				continue
			}
			if kind != "" {
				var k struct {
					Kind string `json:"kind"`
				}
				if json.Unmarshal(e.Body, &k); k.Kind != kind {
					continue
				}
			}
			out = append(out, viewEntry(e))
			if len(out) == limit {
				next = e.Index
				break
			}
		}
	}
	res := map[string]any{"declarations": out, "log_size": cp.Size}
	if next >= 0 && next+1 < cp.Size {
		res["next_after"] = next
	}
	return http.StatusOK, res, nil
}

// getDeclaration returns one entry with its inclusion proof (C2SP
// tlog-proof text) and the findings that involve it. With witnesses, the
// proof is in the tree of the cosigned checkpoint, which it carries.
func (s *Server) getDeclaration(w http.ResponseWriter, r *http.Request) (int, any, error) {
	if err := indivisible.Authorize(account(r), indivisible.ActRead, ""); err != nil {
		return 0, nil, err
	}
	idx, err := strconv.ParseInt(r.PathValue("index"), 10, 64)
	if err != nil || idx < 0 {
		return 0, nil, indivisible.Invalid("index", "%q is not an index", r.PathValue("index"))
	}
	prove := s.cfg.Ledger.ProveInclusion
	if s.cfg.Witnesses != nil {
		prove = s.cfg.Witnesses.ProveInclusion // in the cosigned checkpoint's tree
	}
	proof, err := prove(r.Context(), idx)
	if err != nil {
		return 0, nil, err
	}
	es, err := s.cfg.Ledger.Entries(r.Context(), idx, idx+1)
	if err != nil {
		return 0, nil, err
	}
	findings, _, err := s.cfg.Exchange.Findings(r.Context(), account(r))
	if err != nil {
		return 0, nil, err
	}
	text, _ := proof.MarshalText()
	return http.StatusOK, map[string]any{"entry": viewEntry(es[0]), "proof": string(text),
		"findings": nonNil(exchange.Involving(findings, idx))}, nil
}

// listFindings returns the regime's findings over the whole log, filtered
// by ?participant= and ?rule=.
func (s *Server) listFindings(w http.ResponseWriter, r *http.Request) (int, any, error) {
	findings, size, err := s.cfg.Exchange.Findings(r.Context(), account(r))
	if err != nil {
		return 0, nil, err
	}
	if p := r.URL.Query().Get("participant"); p != "" {
		findings = exchange.Concerning(findings, p)
	}
	if rule := r.URL.Query().Get("rule"); rule != "" {
		if !slices.Contains(exchange.Rules, rule) {
			return 0, nil, indivisible.Invalid("rule", "unknown rule %q", rule)
		}
		findings = slices.DeleteFunc(findings, func(f indivisible.Finding) bool { return f.Rule != rule })
	}
	return http.StatusOK, map[string]any{"findings": nonNil(findings), "log_size": size}, nil
}

func nonNil(fs []indivisible.Finding) []indivisible.Finding {
	if fs == nil {
		return []indivisible.Finding{}
	}
	return fs
}

func (s *Server) listKeys(w http.ResponseWriter, r *http.Request) (int, any, error) {
	keys, err := s.cfg.AccountService.Keys(r.Context(), account(r))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"keys": keys}, nil
}

// registerKey is the secretariat's act of registering a delegation's
// public key (a note verifier key text); the registration is itself a
// log entry.
func (s *Server) registerKey(w http.ResponseWriter, r *http.Request) (int, any, error) {
	req, err := decode[struct {
		Participant string `json:"participant"`
		PublicKey   string `json:"public_key"`
	}](s, w, r)
	if err != nil {
		return 0, nil, err
	}
	k, err := s.cfg.AccountService.RegisterKey(r.Context(), account(r), req.Participant, req.PublicKey)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, k, nil
}

func (s *Server) revokeKey(w http.ResponseWriter, r *http.Request) (int, any, error) {
	req, err := decode[struct {
		From int64 `json:"from"`
	}](s, w, r)
	if err != nil {
		return 0, nil, err
	}
	k, err := s.cfg.AccountService.RevokeKey(r.Context(), account(r), r.PathValue("name"), req.From)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, k, nil
}
