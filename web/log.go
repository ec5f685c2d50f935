package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/cosign"
	"github.com/indivisible-eurasia/indivisible/exchange"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/ledger/logstore"
)

// Ledger is what the pages read of the tamper-evident log (*ledger.Log).
type Ledger interface {
	// Info returns the log's origin and verifier key.
	Info() indivisible.LogInfo
	// Checkpoint returns the latest signed checkpoint.
	Checkpoint(ctx context.Context) (indivisible.Checkpoint, error)
	// Entries returns the entries start..end-1 (ENOTFOUND beyond the log).
	Entries(ctx context.Context, start, end int64) ([]indivisible.Entry, error)
	// ProveInclusion proves an entry in the latest checkpoint's tree.
	ProveInclusion(ctx context.Context, index int64) (*ledger.InclusionProof, error)
	// Keys returns the key registry.
	Keys(ctx context.Context) ([]indivisible.Key, error)
}

// Witnessed is what the log pages read of witnessing when the Ledger has
// witnesses (serve -witnesses wraps the *ledger.Log with its
// cosign.Collector): the checkpoint they cosigned, proofs in its tree, and
// the state of each witness.
type Witnessed interface {
	// Cosigned returns the latest checkpoint with the witnesses'
	// cosignatures (perhaps fewer than the quorum).
	Cosigned(ctx context.Context) (indivisible.Checkpoint, error)
	// ProveCosigned proves an entry in the cosigned checkpoint's tree, or
	// in the log's latest for an entry not yet cosigned.
	ProveCosigned(ctx context.Context, index int64) (*ledger.InclusionProof, error)
	// Witnesses reports the quorum and each witness.
	Witnesses() cosign.Status
	// Policy is the witness policy, which the entry page's script
	// enforces on the cosigned checkpoint.
	Policy() *cosign.Policy
}

// recentEntries is how many of the latest entries the Log page lists.
const recentEntries = 20

type logData struct {
	Info       indivisible.LogInfo
	Checkpoint indivisible.Checkpoint
	RootHex    string
	Recent     []indivisible.Entry
	Keys       []indivisible.Key
	Origin     string // the server's own URL, for the audit commands
	// Witnesses is the state of witnessing, nil without witnesses.
	Witnesses *cosign.Status
}

func (h *handler) logPage(w http.ResponseWriter, r *http.Request) {
	// The form's ?index= goes to the entry's own address, so that it works
	// without JavaScript and the address can be shared.
	if v := r.URL.Query().Get("index"); v != "" {
		i, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || i < 0 {
			h.fail(w, r, indivisible.Invalid("index", "%q is not an entry index", v))
			return
		}
		http.Redirect(w, r, "/log/entry/"+strconv.FormatInt(i, 10), http.StatusSeeOther)
		return
	}
	ctx := r.Context()
	checkpoint := h.deps.Ledger.Checkpoint
	var st *cosign.Status
	if wl, ok := h.deps.Ledger.(Witnessed); ok {
		checkpoint = wl.Cosigned
		s := wl.Witnesses()
		st = &s
	}
	cp, err := checkpoint(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := logData{Info: h.deps.Ledger.Info(), Checkpoint: cp, RootHex: hex.EncodeToString(cp.Root[:]), Origin: h.serverURL(r), Witnesses: st}
	if cp.Size > 0 {
		es, err := h.deps.Ledger.Entries(ctx, max(0, cp.Size-recentEntries), cp.Size)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for i := len(es) - 1; i >= 0; i-- {
			d.Recent = append(d.Recent, es[i])
		}
	}
	if d.Keys, err = h.deps.Ledger.Keys(ctx); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "log", loc(r).T("nav.log"), d)
}

// serverURL is the service's public URL, or else the scheme and host the
// request came to.
func (h *handler) serverURL(r *http.Request) string {
	if u := h.deps.PublicURL; u != nil {
		return strings.TrimSuffix((&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String(), "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// proofData is what ledger.js verifies: the entry's exact bytes, the
// C2SP tlog-proof, where to fetch the log's key and, with witnesses, the
// policy whose quorum of cosignatures the checkpoint must carry.
type proofData struct {
	Index  int64        `json:"index"`
	Record string       `json:"record"` // base64 of the encoded entry, the tlog record
	Proof  string       `json:"proof"`
	KeyURL string       `json:"key_url"`
	Policy *cosign.Spec `json:"policy,omitempty"`
}

type entryData struct {
	Entry      indivisible.Entry
	Time       string
	Signature  string
	Body       string // indented JSON for a declaration, the text otherwise
	Size       int    // bytes of the encoded entry
	Proof      string
	Checkpoint indivisible.Checkpoint
	Data       proofData
	Findings   []indivisible.Finding
	Prev, Next int64 // neighbouring indexes, or -1
	Origin     string
}

func (h *handler) logEntry(w http.ResponseWriter, r *http.Request) {
	idx, err := strconv.ParseInt(r.PathValue("index"), 10, 64)
	if err != nil || idx < 0 {
		h.fail(w, r, indivisible.Invalid("index", "%q is not an entry index", r.PathValue("index")))
		return
	}
	ctx := r.Context()
	prove := h.deps.Ledger.ProveInclusion
	var spec *cosign.Spec
	if wl, ok := h.deps.Ledger.(Witnessed); ok {
		prove = wl.ProveCosigned
		if p := wl.Policy(); p != nil {
			s := p.Spec()
			spec = &s
		}
	}
	proof, err := prove(ctx, idx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	es, err := h.deps.Ledger.Entries(ctx, idx, idx+1)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	e := es[0]
	rec, err := logstore.Encode(&e)
	if err != nil {
		h.fail(w, r, indivisible.Errorf(indivisible.EINTERNAL, "entry %d: %v", idx, err))
		return
	}
	text, err := proof.MarshalText()
	if err != nil {
		h.fail(w, r, err)
		return
	}
	findings, _, err := h.deps.Exchange.Findings(ctx, accountOf(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := entryData{Entry: e, Time: e.Time.UTC().Format(timeFormat), Body: string(e.Body), Size: len(rec),
		Proof: string(text), Checkpoint: proof.Checkpoint, Findings: exchange.Involving(findings, idx),
		Data: proofData{Index: idx, Record: base64.StdEncoding.EncodeToString(rec), Proof: string(text), KeyURL: "/log/key", Policy: spec},
		Prev: idx - 1, Next: idx + 1, Origin: h.serverURL(r)}
	if len(e.Signature) > 0 {
		d.Signature = base64.StdEncoding.EncodeToString(e.Signature)
	}
	var buf bytes.Buffer
	if e.Kind == indivisible.KindDeclaration && json.Indent(&buf, e.Body, "", "  ") == nil {
		d.Body = buf.String()
	}
	if d.Next >= proof.Checkpoint.Size {
		d.Next = -1
	}
	h.render(w, r, http.StatusOK, "entry", loc(r).T("exchange.entry.title", "index", strconv.FormatInt(idx, 10)), d)
}
