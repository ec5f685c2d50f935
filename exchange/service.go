package exchange

import (
	"context"
	"slices"
	"sync"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ledger"
)

// Log is what the exchange needs of the tamper-evident log (package
// ledger's *Log).
type Log interface {
	// CheckSignature checks sig over body under a key registered to
	// participant and valid at the log's next index.
	CheckSignature(participant, keyName string, body, sig []byte) error
	Checkpoint(ctx context.Context) (indivisible.Checkpoint, error)
	Entries(ctx context.Context, start, end int64) ([]indivisible.Entry, error)
	// Append durably appends e and returns it with its index and time.
	Append(ctx context.Context, e indivisible.Entry) (indivisible.Entry, error)
	// ProveInclusion proves an entry in the latest checkpoint's tree.
	ProveInclusion(ctx context.Context, index int64) (*ledger.InclusionProof, error)
}

// Service files declarations into the log and keeps the regime's findings
// up to date. It reads each entry of the log once, whoever appended it, and
// recomputes the findings at most once per log size. It is safe for
// concurrent use; concurrent submissions still share the log's group
// commit, because the lock is not held while appending.
type Service struct {
	log    Log
	codes  *Codes
	regime *Regime

	mu         sync.Mutex
	state      *State
	findings   []indivisible.Finding
	findingsAt int64                     // the state size the findings were computed at
	view       *indivisible.ExchangeView // computed at most once per log size, on demand
}

// NewService returns a service over log, checking codes against codes and
// rules against regime.
func NewService(log Log, codes *Codes, regime *Regime) *Service {
	return &Service{log: log, codes: codes, regime: regime, state: NewState(), findingsAt: -1}
}

// Regime returns the regime the service checks.
func (s *Service) Regime() *Regime { return s.regime }

// sync adds the entries appended since the last call. The caller holds mu.
func (s *Service) sync(ctx context.Context) error {
	cp, err := s.log.Checkpoint(ctx)
	if err != nil {
		return err
	}
	const chunk = 4096
	for start := s.state.Size(); start < cp.Size; start = s.state.Size() {
		es, err := s.log.Entries(ctx, start, min(start+chunk, cp.Size))
		if err != nil {
			return err
		}
		for _, e := range es {
			s.state.Add(e)
		}
	}
	return nil
}

// Parse reads a declaration as File does, without filing it (the
// declaration forms show what a body would be).
func (s *Service) Parse(body []byte) (*indivisible.Declaration, error) {
	if len(body) > MaxDeclarationSize {
		return nil, indivisible.FieldErrorf(indivisible.ETOOLARGE, "declaration", "%d bytes exceeds the limit of %d", len(body), MaxDeclarationSize)
	}
	return Parse(body, s.codes)
}

// File files a signed declaration for acc and appends its exact bytes to
// the log: the declaration must parse (a malformed body is refused as
// such, whoever sends it), acc must be allowed to file for its
// participant, the signature must be valid under a key registered to that
// participant, and the log must admit it (State.Admit). Nothing is
// appended on any error. Two racing filings that only conflict with each
// other (two annual exchanges of one year) can both be appended; the
// duplicate then shows as a finding.
func (s *Service) File(ctx context.Context, acc *indivisible.Account, body []byte, keyName string, sig []byte) (*indivisible.Filing, error) {
	d, err := s.Parse(body)
	if err != nil {
		return nil, indivisible.PrefixField("declaration", err)
	}
	if err := indivisible.Authorize(acc, indivisible.ActFileDeclaration, d.Participant); err != nil {
		return nil, err
	}
	// The signature is checked before anything that depends on the log, so
	// a stranger learns nothing from those checks; Append checks it again
	// against the registry as of the entry's index.
	if err := s.log.CheckSignature(d.Participant, keyName, body, sig); err != nil {
		return nil, err
	}
	if err := s.admit(ctx, d); err != nil {
		return nil, err
	}
	e, err := s.log.Append(ctx, indivisible.Entry{Kind: indivisible.KindDeclaration, Participant: d.Participant, KeyName: keyName, Signature: sig, Body: body})
	if err != nil {
		return nil, err
	}
	proof, err := s.log.ProveInclusion(ctx, e.Index)
	if err != nil {
		return nil, err
	}
	text, err := proof.MarshalText()
	if err != nil {
		return nil, indivisible.Errorf(indivisible.EINTERNAL, "the inclusion proof of entry %d: %v", e.Index, err)
	}
	return &indivisible.Filing{Declaration: d, Entry: e, Proof: text}, nil
}

func (s *Service) admit(ctx context.Context, d *indivisible.Declaration) error {
	switch d.Kind {
	case indivisible.KindCorrection, indivisible.KindAnnualExchange, indivisible.KindForcesContribution:
	default:
		return nil // nothing in the log can refuse the other kinds
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.sync(ctx); err != nil {
		return err
	}
	return s.state.Admit(d)
}

// Findings returns the regime's findings over the whole log and the log
// size they were computed at. They are published: any account may read
// them.
func (s *Service) Findings(ctx context.Context, acc *indivisible.Account) ([]indivisible.Finding, int64, error) {
	if err := indivisible.Authorize(acc, indivisible.ActRead, ""); err != nil {
		return nil, 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.update(ctx); err != nil {
		return nil, 0, err
	}
	return slices.Clone(s.findings), s.findingsAt, nil
}

// View returns the exchange's reading of the whole log: the declarations
// with corrections applied, the transfers reconciled and the findings, at
// one log size (State.View). The view is shared between callers: do not
// modify it.
func (s *Service) View(ctx context.Context, acc *indivisible.Account) (*indivisible.ExchangeView, error) {
	if err := indivisible.Authorize(acc, indivisible.ActRead, ""); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.update(ctx); err != nil {
		return nil, err
	}
	if s.view == nil || s.view.Size != s.findingsAt {
		s.view = &indivisible.ExchangeView{Size: s.findingsAt, Declarations: s.state.Declarations(), Transfers: s.state.Transfers(), Findings: s.findings}
	}
	return s.view, nil
}

// update reads the log's new entries and recomputes the findings if the
// log grew. The caller holds mu.
func (s *Service) update(ctx context.Context) error {
	if err := s.sync(ctx); err != nil {
		return err
	}
	if s.findingsAt != s.state.Size() {
		s.findings = s.state.Findings(s.regime)
		s.findingsAt = s.state.Size()
	}
	return nil
}

var _ indivisible.ExchangeService = (*Service)(nil)
