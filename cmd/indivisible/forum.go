package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/forum"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/postgres"
	"github.com/indivisible-eurasia/indivisible/scenario"
)

// forumSubcommands run the expert forum from the command line. It works on the
// database directly, as admin does, acting as the account given by -as:
// every step goes through the same forum.Service, and so the same
// authorisation table, as the API. Against a database a server is
// serving, use the API instead (the server's log then stays the only
// writer).
var forumSubcommands = forumGroup()

// forumGroup gives each forum step the flags they all share.
func forumGroup() map[string]command {
	subs := map[string]command{}
	for name, c := range forumCommands {
		subs[name] = command{c.summary, func(ctx context.Context, e *env, args []string) error { return runForum(ctx, e, name, c, args) }}
	}
	return subs
}

func runForum(ctx context.Context, e *env, name string, c forumCommand, args []string) error {
	flags := newFlags("forum "+name, e)
	var f forumFlags
	flags.StringVar(&f.db, "db", "indivisible.db", "SQLite database `FILE`, or postgres://… URL")
	flags.StringVar(&f.logKey, "log-key", "", "the log's signing key `FILE` (default: the database path + .key)")
	flags.Int64Var(&f.as, "as", 0, "act as the account with this `ID` (see 'admin account-list')")
	flags.StringVar(&f.scenario, "scenario", scenario.DefaultName, "scenario: eurasia (embedded) or a directory")
	flags.BoolVar(&f.json, "json", false, "print the result as JSON")
	run := c.run(flags, &f)
	if err := parseFlags(flags, args); err != nil {
		return err
	}
	if !postgres.IsURL(f.db) {
		if _, err := os.Stat(f.db); errors.Is(err, fs.ErrNotExist) {
			return indivisible.FieldErrorf(indivisible.ENOTFOUND, f.db, "no such database")
		}
	}
	a, err := openApp(ctx, appConfig{db: f.db, logKey: f.logKey, scenario: f.scenario, readOnly: forumReadOnly[name]})
	if err != nil {
		return err
	}
	defer a.close()
	acc := indivisible.Anonymous
	if f.as != 0 {
		if acc, err = a.db.Account(ctx, f.as); err != nil {
			return indivisible.FieldErrorf(indivisible.ErrorCode(err), "as", "%s", indivisible.ErrorMessage(err))
		}
	}
	out, err := run(ctx, &forumCtx{e: e, acc: acc, svc: a.forum, args: flags.Args()})
	if err != nil || out == nil {
		return err
	}
	if f.json {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out.value)
	}
	_, err = io.WriteString(e.stdout, out.text)
	return err
}

// forumReadOnly are the forum subcommands that only read the database:
// they open it read-only and never migrate it.
var forumReadOnly = map[string]bool{"list": true, "show": true, "status": true, "outcome": true, "delphi-show": true, "delphi-result": true}

// forumFlags are the flags every forum subcommand takes.
type forumFlags struct {
	db, logKey, scenario string
	as                   int64
	json                 bool
}

// forumCtx is what a subcommand works with.
type forumCtx struct {
	e    *env
	acc  *indivisible.Account
	svc  *forum.Service
	args []string
}

// forumOut is a subcommand's result: a value for -json and a text.
type forumOut struct {
	value any
	text  string
}

// forumCommand registers its own flags and returns the function that runs
// once they are parsed.
type forumCommand struct {
	summary string
	run     func(fs *flag.FlagSet, f *forumFlags) func(ctx context.Context, c *forumCtx) (*forumOut, error)
}

var forumCommands = map[string]forumCommand{
	"create":        {"create a forum (secretariat): -title T [-description D]", forumCreate},
	"list":          {"list the forums", forumList},
	"show":          {"a forum's sessions, delegations and agendas: -forum F", forumShow},
	"session":       {"add a session (secretariat): -forum F -title T", forumSession},
	"register":      {"register a delegation: -forum F -participant P -kind K -name N -head H [-members A,B]", forumRegister},
	"accredit":      {"accredit a delegation (secretariat): -forum F -delegation D", forumStatus(indivisible.Accredited)},
	"reject":        {"reject a registration (secretariat): -forum F -delegation D", forumStatus(indivisible.Rejected)},
	"withdraw":      {"withdraw a delegation: -forum F -delegation D", forumStatus(indivisible.Withdrawn)},
	"expert":        {"put an expert account on the panel (secretariat): -forum F -account A", forumExpert},
	"item":          {"put an item on a session's agenda (secretariat): -forum F -session S -title T -rule R [-quorum Q] [-concerned C] [-deadline TIME]", forumItem},
	"table":         {"table the proposal or an amendment: -forum F -item I -title T -text FILE.md [-package PROPOSAL.json]", forumTable},
	"comment":       {"comment on an item: -forum F -item I TEXT", forumComment},
	"floor":         {"ask for the floor on an item: -forum F -item I", forumFloor},
	"position":      {"take a position: -forum F -item I -stance S [-statement-kind K] [-statement TEXT] [-key KEYFILE]", forumPosition},
	"status":        {"an item's versions, positions and provisional outcome: -forum F -item I", forumItemStatus},
	"close":         {"close an item under its rule (secretariat): -forum F -item I [-o OUTCOME.md]", forumClose},
	"outcome":       {"print a closed item's outcome document: -forum F -item I", forumOutcome},
	"delphi-open":   {"open a Delphi question (secretariat): -forum F -parameter P -text T -min X -max Y [-iqr V] [-stability S] [-max-rounds N]", delphiOpen},
	"delphi-answer": {"answer a Delphi question's open round (expert): -forum F -question Q -value V", delphiAnswer},
	"delphi-round":  {"finish a Delphi round (secretariat): -forum F -question Q", delphiRound},
	"delphi-show":   {"a Delphi question's rounds, and your own answers: -forum F -question Q", delphiShow},
	"delphi-result": {"the closed questions as a parameter file and a distribution file: -forum F -o PARAMS.json [-dist DIST.json]", delphiResult},
}

func forumCreate(fs *flag.FlagSet, _ *forumFlags) func(context.Context, *forumCtx) (*forumOut, error) {
	title := fs.String("title", "", "the forum's `TITLE`")
	desc := fs.String("description", "", "a `DESCRIPTION`")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		f := &indivisible.Forum{Title: *title, Description: *desc}
		if err := c.svc.CreateForum(ctx, c.acc, f); err != nil {
			return nil, err
		}
		return &forumOut{f, fmt.Sprintf("forum %d: %s\n", f.ID, f.Title)}, nil
	}
}

func forumList(fs *flag.FlagSet, _ *forumFlags) func(context.Context, *forumCtx) (*forumOut, error) {
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		all, err := c.svc.Store().Forums(ctx)
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		for _, f := range all {
			fmt.Fprintf(&b, "%d\t%s\n", f.ID, f.Title)
		}
		return &forumOut{all, b.String()}, nil
	}
}

func forumShow(fs *flag.FlagSet, _ *forumFlags) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		o, err := c.svc.Overview(ctx, c.acc, *id)
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		fmt.Fprintf(&b, "forum %d: %s\n\ndelegations:\n", o.Forum.ID, o.Forum.Title)
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, d := range o.Delegations {
			fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\n", d.ID, d.Participant, d.Kind, d.Status, d.Head)
		}
		tw.Flush()
		for _, se := range o.Sessions {
			fmt.Fprintf(&b, "\nsession %d: %s\n", se.ID, se.Title)
			for _, it := range se.Items {
				fmt.Fprintf(&b, "  item %d: %s (%s v%d, %s)\n", it.ID, it.Title, it.Rule.Name, it.Rule.Version, it.Status)
			}
		}
		return &forumOut{o, b.String()}, nil
	}
}

func forumSession(fs *flag.FlagSet, _ *forumFlags) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	title := fs.String("title", "", "the session's `TITLE`")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		se := &indivisible.Session{ForumID: *id, Title: *title}
		if err := c.svc.CreateSession(ctx, c.acc, se); err != nil {
			return nil, err
		}
		return &forumOut{se, fmt.Sprintf("session %d: %s\n", se.ID, se.Title)}, nil
	}
}

func forumRegister(fs *flag.FlagSet, _ *forumFlags) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	d := &indivisible.Delegation{}
	fs.StringVar(&d.Participant, "participant", "", "the participant `CODE`")
	kind := fs.String("kind", "", "member_state, partner_state, organisation or integration_association")
	fs.StringVar(&d.Name, "name", "", "the delegation's `NAME`")
	fs.StringVar(&d.Head, "head", "", "the head of delegation")
	members := fs.String("members", "", "the members, comma-separated")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		d.ForumID, d.Kind = *id, indivisible.DelegationKind(*kind)
		for _, m := range strings.Split(*members, ",") {
			if m = strings.TrimSpace(m); m != "" {
				d.Members = append(d.Members, m)
			}
		}
		if err := c.svc.RegisterDelegation(ctx, c.acc, d); err != nil {
			return nil, err
		}
		return &forumOut{d, fmt.Sprintf("delegation %d: %s (%s), %s\n", d.ID, d.Participant, d.Kind, d.Status)}, nil
	}
}

func forumStatus(next indivisible.AccreditationStatus) func(*flag.FlagSet, *forumFlags) func(context.Context, *forumCtx) (*forumOut, error) {
	return func(fs *flag.FlagSet, _ *forumFlags) func(context.Context, *forumCtx) (*forumOut, error) {
		id := fs.Int64("forum", 0, "the forum's `ID`")
		del := fs.Int64("delegation", 0, "the delegation's `ID`")
		return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
			d, err := c.svc.SetDelegationStatus(ctx, c.acc, *id, *del, next)
			if err != nil {
				return nil, err
			}
			return &forumOut{d, fmt.Sprintf("delegation %d: %s (%s), %s\n", d.ID, d.Participant, d.Kind, d.Status)}, nil
		}
	}
}

func forumExpert(fs *flag.FlagSet, _ *forumFlags) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	acc := fs.Int64("account", 0, "the expert account's `ID`")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		x, err := c.svc.AddExpert(ctx, c.acc, *id, *acc)
		if err != nil {
			return nil, err
		}
		aff := x.Affiliation
		if aff == "" {
			aff = "independent"
		}
		return &forumOut{x, fmt.Sprintf("expert %d: %s (%s)\n", x.ID, x.Name, aff)}, nil
	}
}

func forumItem(fs *flag.FlagSet, _ *forumFlags) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	se := fs.Int64("session", 0, "the session's `ID`")
	it := &indivisible.AgendaItem{}
	fs.StringVar(&it.Title, "title", "", "the item's `TITLE`")
	fs.StringVar(&it.Description, "description", "", "a `DESCRIPTION`")
	fs.StringVar(&it.Rule.Name, "rule", indivisible.RuleConsensus, "the decision `RULE`: "+strings.Join(forum.RuleNames(), ", "))
	fs.IntVar(&it.Rule.Version, "rule-version", 0, "the rule's `VERSION` (default the latest)")
	fs.Float64Var(&it.Rule.Quorum, "quorum", 0, "qualified majority: the `SHARE` of member states that must be present (default 0.5)")
	fs.StringVar(&it.Rule.Concerned, "concerned", "", "consensus minus one: the state concerned")
	deadline := fs.String("deadline", "", "silence procedure: the deadline (RFC 3339 `TIME`)")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		it.ForumID, it.SessionID = *id, *se
		if *deadline != "" {
			t, err := time.Parse(time.RFC3339, *deadline)
			if err != nil {
				return nil, indivisible.Invalid("deadline", "%q is not an RFC 3339 time", *deadline)
			}
			it.Rule.Deadline = &t
		}
		if err := c.svc.CreateItem(ctx, c.acc, it); err != nil {
			return nil, err
		}
		return &forumOut{it, fmt.Sprintf("item %d: %s (%s v%d)\n", it.ID, it.Title, it.Rule.Name, it.Rule.Version)}, nil
	}
}

func forumTable(fs *flag.FlagSet, _ *forumFlags) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	item := fs.Int64("item", 0, "the item's `ID`")
	title := fs.String("title", "", "the version's `TITLE`")
	text := fs.String("text", "", "the Markdown text `FILE` (- for standard input)")
	pkg := fs.String("package", "", "the package of measures, a proposal `FILE` (JSON)")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		if *text == "" {
			return nil, indivisible.Invalid("text", "-text FILE.md is needed")
		}
		body, err := readLimited(c.e, *text, indivisible.MaxText)
		if err != nil {
			return nil, err
		}
		v := &indivisible.ProposalVersion{ItemID: *item, Title: *title, Text: string(body)}
		if *pkg != "" {
			b, err := readLimited(c.e, *pkg, 1<<20)
			if err != nil {
				return nil, err
			}
			if v.Package, err = indivisible.ParseProposal(b); err != nil {
				return nil, indivisible.InFile(*pkg, err)
			}
		}
		if err := c.svc.Table(ctx, c.acc, *id, v); err != nil {
			return nil, err
		}
		s := fmt.Sprintf("item %d version %d (%s): %s\n", v.ItemID, v.Number, v.Kind, v.Title)
		if a := v.Assessment; a != nil {
			s += fmt.Sprintf("assessment: %s; gainers %s; losers %s\n", a.Verdict, list(a.Gainers), list(a.Losers))
		}
		return &forumOut{v, s}, nil
	}
}

func list(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	if len(xs) > 8 {
		return strings.Join(xs[:8], " ") + fmt.Sprintf(" and %d more", len(xs)-8)
	}
	return strings.Join(xs, " ")
}

func forumComment(fs *flag.FlagSet, _ *forumFlags) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	item := fs.Int64("item", 0, "the item's `ID`")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		cm := &indivisible.Comment{ItemID: *item, Text: strings.Join(c.args, " ")}
		if err := c.svc.Comment(ctx, c.acc, *id, cm); err != nil {
			return nil, err
		}
		return &forumOut{cm, fmt.Sprintf("comment %d on item %d\n", cm.ID, cm.ItemID)}, nil
	}
}

func forumFloor(fs *flag.FlagSet, _ *forumFlags) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	item := fs.Int64("item", 0, "the item's `ID`")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		sp, err := c.svc.RequestFloor(ctx, c.acc, *id, *item)
		if err != nil {
			return nil, err
		}
		return &forumOut{sp, fmt.Sprintf("speaker %d: %s asks for the floor on item %d\n", sp.ID, sp.Name, sp.ItemID)}, nil
	}
}

func forumPosition(fs *flag.FlagSet, _ *forumFlags) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	item := fs.Int64("item", 0, "the item's `ID`")
	req := &forum.PositionRequest{}
	fs.IntVar(&req.Version, "version", 0, "the proposal `VERSION` (default the current one)")
	stance := fs.String("stance", "", "support, object, abstain, join or withdraw")
	fs.StringVar(&req.StatementKind, "statement-kind", "", "with join: reservation or interpretative")
	fs.StringVar(&req.Statement, "statement", "", "the reservation, interpretative statement or written objection")
	keyFile := fs.String("key", "", "sign the statement with the delegation's private key `FILE` (otherwise the service attests it)")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		req.Stance = indivisible.Stance(*stance)
		if *keyFile != "" {
			if err := signPosition(ctx, c, *id, *item, req, *keyFile); err != nil {
				return nil, err
			}
		}
		p, err := c.svc.TakePosition(ctx, c.acc, *id, *item, req)
		if err != nil {
			return nil, err
		}
		how := "attested by the service"
		if p.KeyName != "" {
			how = "signed by " + p.KeyName
		}
		return &forumOut{p, fmt.Sprintf("position of %s on item %d version %d: %s (log entry %d, %s)\n", p.Participant, p.ItemID, p.Version, p.Stance, p.LogIndex, how)}, nil
	}
}

// signPosition turns req into a statement signed with the key in keyFile:
// the client builds and signs the exact bytes that go into the log.
func signPosition(ctx context.Context, c *forumCtx, forumID, itemID int64, req *forum.PositionRequest, keyFile string) error {
	if err := mustExist(keyFile); err != nil {
		return err
	}
	signer, err := ledger.LoadSigner(keyFile)
	if err != nil {
		return err
	}
	if req.Version == 0 {
		vs, err := c.svc.Store().Versions(ctx, itemID)
		if err != nil {
			return err
		}
		if len(vs) > 0 {
			req.Version = vs[len(vs)-1].Number
		}
	}
	body := (&forum.PositionBody{Type: forum.PositionType, Forum: forumID, Item: itemID, Version: req.Version, Participant: c.acc.Participant,
		Stance: req.Stance, StatementKind: req.StatementKind, Statement: req.Statement, Time: time.Now().UTC().Format(time.RFC3339Nano)}).Marshal()
	sig, err := signer.Sign(body)
	if err != nil {
		return indivisible.Errorf(indivisible.EINTERNAL, "sign: %v", err)
	}
	*req = forum.PositionRequest{Signed: &forum.SignedStatement{Body: body, KeyName: signer.Name(), Signature: sig}}
	return nil
}

func forumItemStatus(fs *flag.FlagSet, _ *forumFlags) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	item := fs.Int64("item", 0, "the item's `ID`")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		st, err := c.svc.ItemView(ctx, c.acc, *id, *item)
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		it := st.Item
		fmt.Fprintf(&b, "item %d: %s (%s v%d, %s)\n\nversions:\n", it.ID, it.Title, it.Rule.Name, it.Rule.Version, it.Status)
		for _, v := range st.Versions {
			verdict := "no package"
			if v.Assessment != nil {
				verdict = string(v.Assessment.Verdict)
			}
			who := v.Participant
			if who == "" {
				who = "secretariat"
			}
			fmt.Fprintf(&b, "  %d %-9s %-11s %s (%s)\n", v.Number, v.Kind, who, v.Title, verdict)
		}
		b.WriteString("\npositions (log order):\n")
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, p := range st.Positions {
			signed := "attested"
			if p.KeyName != "" {
				signed = "signed"
			}
			fmt.Fprintf(tw, "  %d\t%s\tv%d\t%s\t%s\t%s\t%s\n", p.LogIndex, p.Participant, p.Version, p.Stance, signed, p.Statement, p.Standing)
		}
		tw.Flush()
		d := st.Decision
		if d == nil {
			d = st.Provisional
		}
		if d != nil {
			label := "decision"
			if st.Decision == nil {
				label = "if closed now"
			}
			fmt.Fprintf(&b, "\n%s: %s (%s)\n", label, d.Outcome, d.Reason)
		}
		return &forumOut{st, b.String()}, nil
	}
}

func forumClose(fs *flag.FlagSet, _ *forumFlags) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	item := fs.Int64("item", 0, "the item's `ID`")
	out := fs.String("o", "", "write the outcome document to `FILE`")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		d, err := c.svc.Close(ctx, c.acc, *id, *item)
		if err != nil {
			return nil, err
		}
		if *out != "" {
			if err := os.WriteFile(*out, []byte(d.Document), 0o644); err != nil {
				return nil, indivisible.Invalid(*out, "%v", err)
			}
		}
		return &forumOut{d, fmt.Sprintf("item %d: %s (%s)\ndecision: log entry %d, outcome document sha256 %s\n", d.ItemID, d.Outcome, d.Reason, d.LogIndex, d.DocumentSHA256)}, nil
	}
}

func forumOutcome(fs *flag.FlagSet, _ *forumFlags) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	item := fs.Int64("item", 0, "the item's `ID`")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		if _, err := c.svc.Item(ctx, *id, *item); err != nil {
			return nil, err
		}
		d, err := c.svc.Store().Decision(ctx, *item)
		if err != nil {
			return nil, err
		}
		return &forumOut{d, d.Document}, nil
	}
}

func delphiOpen(fs *flag.FlagSet, _ *forumFlags) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	q := &indivisible.Question{}
	fs.StringVar(&q.Parameter, "parameter", "", "the model parameter `PATH`: exercise_intensity, exercise_range_km, notified_discount, observer_discount, cbm.X, weights.X, dyads.AAA-BBB")
	fs.StringVar(&q.Text, "text", "", "the question's `TEXT`")
	fs.StringVar(&q.Unit, "unit", "", "the answer's `UNIT`")
	fs.Float64Var(&q.Min, "min", 0, "the smallest answer allowed")
	fs.Float64Var(&q.Max, "max", 0, "the largest answer allowed")
	fs.Float64Var(&q.Stop.IQR, "iqr", 0, "stop when the interquartile range is at most this (0: never)")
	fs.Float64Var(&q.Stop.Stability, "stability", 0, "stop when the median moves by less than this share (default 0.15)")
	fs.IntVar(&q.Stop.MaxRounds, "max-rounds", 0, "stop after this many rounds (default 4)")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		q.ForumID = *id
		if err := c.svc.CreateQuestion(ctx, c.acc, q); err != nil {
			return nil, err
		}
		return &forumOut{q, fmt.Sprintf("question %d on %s: round 1 open\n", q.ID, q.Parameter)}, nil
	}
}

func delphiAnswer(fs *flag.FlagSet, _ *forumFlags) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	qid := fs.Int64("question", 0, "the question's `ID`")
	value := fs.Float64("value", 0, "your estimate")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		a, err := c.svc.Answer(ctx, c.acc, *id, *qid, *value)
		if err != nil {
			return nil, err
		}
		return &forumOut{a, fmt.Sprintf("question %d round %d: answered %g\n", a.QuestionID, a.Round, a.Value)}, nil
	}
}

func delphiRound(fs *flag.FlagSet, _ *forumFlags) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	qid := fs.Int64("question", 0, "the question's `ID`")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		q, err := c.svc.FinishRound(ctx, c.acc, *id, *qid)
		if err != nil {
			return nil, err
		}
		r := q.Rounds[len(q.Rounds)-1]
		s := fmt.Sprintf("question %d round %d: n=%d median %g IQR %g\n", q.ID, r.Round, r.N, r.Median, r.IQR)
		if q.Status == indivisible.QuestionClosed {
			s += "closed: " + q.StopReason + "\n"
		} else {
			s += fmt.Sprintf("round %d open\n", q.Round)
		}
		return &forumOut{q, s}, nil
	}
}

func delphiShow(fs *flag.FlagSet, _ *forumFlags) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	qid := fs.Int64("question", 0, "the question's `ID`")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		fb, err := c.svc.QuestionFeedback(ctx, c.acc, *id, *qid)
		if err != nil {
			return nil, err
		}
		q := fb.Question
		own := map[int]float64{}
		for _, a := range fb.Own {
			own[a.Round] = a.Value
		}
		var b strings.Builder
		fmt.Fprintf(&b, "question %d on %s (%s): %s\n", q.ID, q.Parameter, q.Status, q.Text)
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "round\tn\tq1\tmedian\tq3\tIQR\tyours")
		for _, r := range q.Rounds {
			yours := "-"
			if v, ok := own[r.Round]; ok {
				yours = fmt.Sprint(v)
			}
			fmt.Fprintf(tw, "%d\t%d\t%g\t%g\t%g\t%g\t%s\n", r.Round, r.N, r.Q1, r.Median, r.Q3, r.IQR, yours)
		}
		tw.Flush()
		if q.Status == indivisible.QuestionClosed {
			fmt.Fprintf(&b, "closed: %s\n", q.StopReason)
		} else {
			fmt.Fprintf(&b, "round %d open\n", q.Round)
		}
		return &forumOut{fb, b.String()}, nil
	}
}

func delphiResult(fs *flag.FlagSet, _ *forumFlags) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	out := fs.String("o", "", "write the parameter file (for assess -params) to `FILE`")
	dist := fs.String("dist", "", "write the distribution file (for simulate -params) to `FILE`")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		res, err := c.svc.DelphiResult(ctx, c.acc, *id)
		if err != nil {
			return nil, err
		}
		for _, f := range []struct {
			name string
			data []byte
		}{{*out, res.Params}, {*dist, res.Distributions}} {
			if f.name == "" {
				continue
			}
			if err := os.WriteFile(f.name, append(f.data, '\n'), 0o644); err != nil {
				return nil, indivisible.Invalid(f.name, "%v", err)
			}
		}
		var b strings.Builder
		for _, q := range res.Questions {
			fmt.Fprintf(&b, "%s = %g (question %d, %d answers, IQR %g, %s distribution)\n", q.Parameter, q.Final.Median, q.ID, q.Final.N, q.Final.IQR, q.Dist.Kind)
		}
		if len(res.Questions) == 0 {
			b.WriteString("no closed questions yet\n")
		}
		return &forumOut{res, b.String()}, nil
	}
}

// attester is the service's attestation key, kept next to the log's key
// (DB.forum.key and DB.forum.pub) and registered in the log to
// indivisible.ForumParticipant. It is made on first use, so a log never
// gets a forum key entry unless the forum records something.
type attester struct {
	mu      sync.Mutex
	keyPath string
	log     *ledger.Log
	signer  note.Signer
}

// forumKeyPath derives the attestation key's file from the log key's.
func forumKeyPath(logKey string) string { return strings.TrimSuffix(logKey, ".key") + ".forum.key" }

// Attest implements forum.Attester.
func (a *attester) Attest(ctx context.Context, body []byte) (string, []byte, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.signer == nil {
		s, err := a.load(ctx)
		if err != nil {
			return "", nil, err
		}
		a.signer = s
	}
	return forum.KeyAttester{Signer: a.signer}.Attest(ctx, body)
}

// load reads the key, making and registering it if need be; a key whose
// registration is missing (a restored database) is registered again.
func (a *attester) load(ctx context.Context) (note.Signer, error) {
	pubPath := strings.TrimSuffix(a.keyPath, ".key") + ".pub"
	if _, err := os.Stat(a.keyPath); errors.Is(err, fs.ErrNotExist) {
		skey, vkey, err := ledger.NewKey(rand.Reader, indivisible.ForumParticipant)
		if err != nil {
			return nil, err
		}
		if err := ledger.WriteKeyFile(a.keyPath, skey); err != nil {
			return nil, err
		}
		if err := os.WriteFile(pubPath, []byte(vkey+"\n"), 0o644); err != nil {
			os.Remove(a.keyPath)
			return nil, indivisible.Invalid(pubPath, "%v", err)
		}
	}
	s, err := ledger.LoadSigner(a.keyPath)
	if err != nil {
		return nil, err
	}
	vkey, err := ledger.ReadVerifierKey(pubPath)
	if err != nil {
		return nil, err
	}
	keys, err := a.log.Keys(ctx)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if k.Name == s.Name() {
			return s, nil
		}
	}
	if _, err := a.log.RegisterKey(ctx, indivisible.ForumParticipant, vkey); err != nil {
		return nil, err
	}
	return s, nil
}

// seedForum gives the demo a forum: every demo delegation accredited, an
// open item under consensus with a proposal, an amendment and positions
// (Armenia's signed with its key), an item under qualified majority
// already decided, and a Delphi question in its first round.
func seedForum(ctx context.Context, a *app, accs []demoAccount) error {
	var sec, expert *indivisible.Account
	del := map[string]demoAccount{}
	for _, d := range accs {
		switch d.acc.Role {
		case indivisible.RoleSecretariat:
			sec = &d.acc
		case indivisible.RoleExpert:
			expert = &d.acc
		case indivisible.RoleDelegation:
			del[d.acc.Participant] = d
		}
	}
	f := &indivisible.Forum{Title: "International expert forum on an equal and indivisible security architecture in Eurasia",
		Description: "Delegations of member states, partner states, organisations and integration associations, with an expert panel."}
	if err := a.forum.CreateForum(ctx, sec, f); err != nil {
		return err
	}
	se := &indivisible.Session{ForumID: f.ID, Title: "First session: confidence-building in the Caucasus and in Europe"}
	if err := a.forum.CreateSession(ctx, sec, se); err != nil {
		return err
	}
	for _, d := range accs {
		if d.acc.Role != indivisible.RoleDelegation {
			continue
		}
		dl := &indivisible.Delegation{ForumID: f.ID, Participant: d.acc.Participant, Kind: d.acc.Kind, Name: d.acc.Name, Head: "Head of delegation", Members: []string{"Military adviser"}}
		if err := a.forum.RegisterDelegation(ctx, &d.acc, dl); err != nil {
			return err
		}
		if _, err := a.forum.SetDelegationStatus(ctx, sec, f.ID, dl.ID, indivisible.Accredited); err != nil {
			return err
		}
	}
	if _, err := a.forum.AddExpert(ctx, sec, f.ID, expert.ID); err != nil {
		return err
	}
	cbm := func(kinds ...string) *indivisible.Proposal {
		p := &indivisible.Proposal{}
		for _, k := range kinds {
			p.Measures = append(p.Measures, indivisible.Measure{Type: indivisible.MeasureCBM, Actors: []string{"ARM", "AZE"}, Kind: k})
		}
		return p
	}
	caucasus := &indivisible.AgendaItem{ForumID: f.ID, SessionID: se.ID, Title: "Confidence-building between Armenia and Azerbaijan",
		Rule: indivisible.RuleSpec{Name: indivisible.RuleConsensus}}
	europe := &indivisible.AgendaItem{ForumID: f.ID, SessionID: se.ID, Title: "Data exchange on forces in Central Europe",
		Rule: indivisible.RuleSpec{Name: indivisible.RuleQualifiedMajority}}
	for _, it := range []*indivisible.AgendaItem{caucasus, europe} {
		if err := a.forum.CreateItem(ctx, sec, it); err != nil {
			return err
		}
	}
	type step struct {
		who string
		v   *indivisible.ProposalVersion
		pos *forum.PositionRequest
		key bool
	}
	steps := []step{
		{who: "ARM", v: &indivisible.ProposalVersion{ItemID: caucasus.ID, Title: "A hotline", Text: "Armenia and Azerbaijan open a **hotline** between their ministries of defence.\n", Package: cbm("hotline")}},
		{who: "AZE", v: &indivisible.ProposalVersion{ItemID: caucasus.ID, Title: "A hotline and observers", Text: "Armenia and Azerbaijan open a **hotline** between their ministries of defence and **exchange military observers** at exercises.\n", Package: cbm("hotline", "observers")}},
		{who: "ARM", pos: &forum.PositionRequest{Stance: indivisible.Join, StatementKind: indivisible.Reservation, Statement: "Observers are exchanged on the basis of reciprocity."}, key: true},
		{who: "AZE", pos: &forum.PositionRequest{Stance: indivisible.Support}},
		{who: "RUS", pos: &forum.PositionRequest{Stance: indivisible.Abstain}},
		{who: "AUS", pos: &forum.PositionRequest{Stance: indivisible.Join, StatementKind: indivisible.Interpretative, Statement: "We understand 'observers' to include civilian experts."}},
		{who: "POL", pos: &forum.PositionRequest{Stance: indivisible.Support}},
	}
	for _, s := range steps {
		d := del[s.who]
		if s.v != nil {
			if err := a.forum.Table(ctx, &d.acc, f.ID, s.v); err != nil {
				return err
			}
			continue
		}
		if s.key {
			c := &forumCtx{acc: &d.acc, svc: a.forum}
			if err := signPosition(ctx, c, f.ID, caucasus.ID, s.pos, d.keyPath); err != nil {
				return err
			}
		}
		if _, err := a.forum.TakePosition(ctx, &d.acc, f.ID, caucasus.ID, s.pos); err != nil {
			return err
		}
	}
	exchange := &indivisible.Proposal{Measures: []indivisible.Measure{{Type: indivisible.MeasureCBM, Actors: []string{"POL", "DEU", "RUS"}, Kind: "data_exchange"}}}
	if err := a.forum.Table(ctx, sec, f.ID, &indivisible.ProposalVersion{ItemID: europe.ID, Title: "Annual data exchange",
		Text: "Poland, Germany and the Russian Federation exchange data on their forces every year.\n", Package: exchange}); err != nil {
		return err
	}
	for who, st := range map[string]indivisible.Stance{"POL": indivisible.Support, "DEU": indivisible.Support, "RUS": indivisible.Object, "ARM": indivisible.Abstain} {
		req := &forum.PositionRequest{Stance: st}
		if st == indivisible.Object {
			req.Statement = "Data exchange must cover all of Europe."
		}
		acc := del[who].acc
		if _, err := a.forum.TakePosition(ctx, &acc, f.ID, europe.ID, req); err != nil {
			return err
		}
	}
	if _, err := a.forum.Close(ctx, sec, f.ID, europe.ID); err != nil {
		return err
	}
	q := &indivisible.Question{ForumID: f.ID, Parameter: "exercise_range_km", Text: "At what distance (km) from an exercise has its effect on the odds of a dispute fallen to 1/e (about 37%)?",
		Unit: "km", Min: 50, Max: 2000, Stop: indivisible.StoppingRule{IQR: 75}}
	if err := a.forum.CreateQuestion(ctx, sec, q); err != nil {
		return err
	}
	_, err := a.forum.Answer(ctx, expert, f.ID, q.ID, 450)
	return err
}
