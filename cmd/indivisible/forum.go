package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/api/openapiclient"
	"github.com/indivisible-eurasia/indivisible/forum"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/simulate"
)

// forumSubcommands run the expert forum from a delegation's, expert's or
// the secretariat's desk: each is a client of a server's API (remote.go),
// acting as the account whose token it sends. The server authorises
// every step through the same table as the web pages, and stays the
// log's only writer.
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
	rf := remote(flags, serverUsage)
	asJSON := flags.Bool("json", false, "print the result as JSON")
	run := c.run(flags)
	if err := parseFlags(flags, args); err != nil {
		return err
	}
	cl, err := rf.dial(e)
	if err != nil {
		return err
	}
	out, err := run(ctx, &forumCtx{e: e, c: cl, args: flags.Args()})
	if err != nil || out == nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, out.value)
	}
	_, err = io.WriteString(e.stdout, out.text)
	return err
}

// forumCtx is what a subcommand works with.
type forumCtx struct {
	e    *env
	c    *client
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
	run     func(fs *flag.FlagSet) func(ctx context.Context, c *forumCtx) (*forumOut, error)
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

// marshal is a request body for the generated client's ...WithBody
// methods, from a value of the API's shape: a root or forum type where
// the API reads one, so that optional fields stay plain values here. A
// flag JSON cannot carry (-min NaN) is bad input.
func marshal(v any) (io.Reader, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, indivisible.Invalid("flags", "cannot be sent to the server: %v", err)
	}
	return bytes.NewReader(b), nil
}

func forumCreate(fs *flag.FlagSet) func(context.Context, *forumCtx) (*forumOut, error) {
	title := fs.String("title", "", "the forum's `TITLE`")
	desc := fs.String("description", "", "a `DESCRIPTION`")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		f, err := reply[indivisible.Forum](c.c.api.CreateForum(ctx, openapiclient.CreateForumJSONRequestBody{Title: *title, Description: desc}))
		if err != nil {
			return nil, err
		}
		return &forumOut{f, fmt.Sprintf("forum %d: %s\n", f.ID, f.Title)}, nil
	}
}

func forumList(fs *flag.FlagSet) func(context.Context, *forumCtx) (*forumOut, error) {
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		r, err := reply[struct {
			Forums []*indivisible.Forum `json:"forums"`
		}](c.c.api.ListForums(ctx))
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		for _, f := range r.Forums {
			fmt.Fprintf(&b, "%d\t%s\n", f.ID, f.Title)
		}
		return &forumOut{r.Forums, b.String()}, nil
	}
}

// forumShow puts the forum's overview together from the API's answers:
// the forum with its sessions and delegations, and each session's items.
func forumShow(fs *flag.FlagSet) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		r, err := reply[struct {
			Forum       *indivisible.Forum        `json:"forum"`
			Sessions    []*indivisible.Session    `json:"sessions"`
			Delegations []*indivisible.Delegation `json:"delegations"`
		}](c.c.api.GetForum(ctx, *id))
		if err != nil {
			return nil, err
		}
		o := &indivisible.ForumOverview{Forum: r.Forum, Delegations: r.Delegations}
		for _, se := range r.Sessions {
			its, err := reply[struct {
				Items []*indivisible.AgendaItem `json:"items"`
			}](c.c.api.ListItems(ctx, *id, se.ID))
			if err != nil {
				return nil, err
			}
			sa := &indivisible.SessionAgenda{Session: *se}
			for _, it := range its.Items {
				sa.Items = append(sa.Items, &indivisible.ItemSummary{AgendaItem: *it})
			}
			o.Sessions = append(o.Sessions, sa)
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

func forumSession(fs *flag.FlagSet) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	title := fs.String("title", "", "the session's `TITLE`")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		se, err := reply[indivisible.Session](c.c.api.CreateSession(ctx, *id, openapiclient.CreateSessionJSONRequestBody{Title: *title}))
		if err != nil {
			return nil, err
		}
		return &forumOut{se, fmt.Sprintf("session %d: %s\n", se.ID, se.Title)}, nil
	}
}

func forumRegister(fs *flag.FlagSet) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	participant := fs.String("participant", "", "the participant `CODE`")
	kind := fs.String("kind", "", "member_state, partner_state, organisation or integration_association")
	name := fs.String("name", "", "the delegation's `NAME`")
	head := fs.String("head", "", "the head of delegation")
	members := fs.String("members", "", "the members, comma-separated")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		ms := []string{}
		for _, m := range strings.Split(*members, ",") {
			if m = strings.TrimSpace(m); m != "" {
				ms = append(ms, m)
			}
		}
		d, err := reply[indivisible.Delegation](c.c.api.RegisterDelegation(ctx, *id, openapiclient.RegisterDelegationJSONRequestBody{
			Participant: *participant, Kind: openapiclient.DelegationKind(*kind), Name: *name, Head: *head, Members: &ms}))
		if err != nil {
			return nil, err
		}
		return &forumOut{d, fmt.Sprintf("delegation %d: %s (%s), %s\n", d.ID, d.Participant, d.Kind, d.Status)}, nil
	}
}

func forumStatus(next indivisible.AccreditationStatus) func(*flag.FlagSet) func(context.Context, *forumCtx) (*forumOut, error) {
	return func(fs *flag.FlagSet) func(context.Context, *forumCtx) (*forumOut, error) {
		id := fs.Int64("forum", 0, "the forum's `ID`")
		del := fs.Int64("delegation", 0, "the delegation's `ID`")
		return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
			d, err := reply[indivisible.Delegation](c.c.api.SetDelegationStatus(ctx, *id, *del,
				openapiclient.SetDelegationStatusJSONRequestBody{Status: openapiclient.SetDelegationStatusJSONBodyStatus(next)}))
			if err != nil {
				return nil, err
			}
			return &forumOut{d, fmt.Sprintf("delegation %d: %s (%s), %s\n", d.ID, d.Participant, d.Kind, d.Status)}, nil
		}
	}
}

func forumExpert(fs *flag.FlagSet) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	acc := fs.Int64("account", 0, "the expert account's `ID`")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		x, err := reply[indivisible.Expert](c.c.api.AddExpert(ctx, *id, openapiclient.AddExpertJSONRequestBody{AccountId: *acc}))
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

func forumItem(fs *flag.FlagSet) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	se := fs.Int64("session", 0, "the session's `ID`")
	title := fs.String("title", "", "the item's `TITLE`")
	desc := fs.String("description", "", "a `DESCRIPTION`")
	var rule indivisible.RuleSpec
	fs.StringVar(&rule.Name, "rule", indivisible.RuleConsensus, "the decision `RULE`: "+strings.Join(forum.RuleNames(), ", "))
	fs.IntVar(&rule.Version, "rule-version", 0, "the rule's `VERSION` (default the latest)")
	fs.Float64Var(&rule.Quorum, "quorum", 0, "qualified majority: the `SHARE` of member states that must be present (default 0.5)")
	fs.StringVar(&rule.Concerned, "concerned", "", "consensus minus one: the state concerned")
	deadline := fs.String("deadline", "", "silence procedure: the deadline (RFC 3339 `TIME`)")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		if *deadline != "" {
			t, err := time.Parse(time.RFC3339, *deadline)
			if err != nil {
				return nil, indivisible.Invalid("deadline", "%q is not an RFC 3339 time", *deadline)
			}
			rule.Deadline = &t
		}
		body, err := marshal(struct {
			Title       string               `json:"title"`
			Description string               `json:"description"`
			Rule        indivisible.RuleSpec `json:"rule"`
		}{*title, *desc, rule})
		if err != nil {
			return nil, err
		}
		it, err := reply[indivisible.AgendaItem](c.c.api.CreateItemWithBody(ctx, *id, *se, jsonType, body))
		if err != nil {
			return nil, err
		}
		return &forumOut{it, fmt.Sprintf("item %d: %s (%s v%d)\n", it.ID, it.Title, it.Rule.Name, it.Rule.Version)}, nil
	}
}

func forumTable(fs *flag.FlagSet) func(context.Context, *forumCtx) (*forumOut, error) {
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
		var pkgJSON json.RawMessage
		if *pkg != "" {
			if pkgJSON, err = readLimited(c.e, *pkg, maxProposalBytes); err != nil {
				return nil, err
			}
			// Read here too, so that a mistake is reported in the file's
			// terms (FILE:field) before anything is sent.
			if _, err := indivisible.ParseProposal(pkgJSON); err != nil {
				return nil, indivisible.InFile(*pkg, err)
			}
		}
		req, err := marshal(struct {
			Title   string          `json:"title"`
			Text    string          `json:"text"`
			Package json.RawMessage `json:"package,omitempty"`
		}{*title, string(body), pkgJSON})
		if err != nil {
			return nil, err
		}
		v, err := reply[indivisible.ProposalVersion](c.c.api.TableVersionWithBody(ctx, *id, *item, jsonType, req))
		if err != nil {
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

func forumComment(fs *flag.FlagSet) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	item := fs.Int64("item", 0, "the item's `ID`")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		cm, err := reply[indivisible.Comment](c.c.api.AddComment(ctx, *id, *item, openapiclient.AddCommentJSONRequestBody{Text: strings.Join(c.args, " ")}))
		if err != nil {
			return nil, err
		}
		return &forumOut{cm, fmt.Sprintf("comment %d on item %d\n", cm.ID, cm.ItemID)}, nil
	}
}

func forumFloor(fs *flag.FlagSet) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	item := fs.Int64("item", 0, "the item's `ID`")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		sp, err := reply[indivisible.Speaker](c.c.api.RequestFloor(ctx, *id, *item))
		if err != nil {
			return nil, err
		}
		return &forumOut{sp, fmt.Sprintf("speaker %d: %s asks for the floor on item %d\n", sp.ID, sp.Name, sp.ItemID)}, nil
	}
}

func forumPosition(fs *flag.FlagSet) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	item := fs.Int64("item", 0, "the item's `ID`")
	req := &indivisible.PositionRequest{}
	fs.IntVar(&req.Version, "version", 0, "the proposal `VERSION` (default the current one)")
	stance := fs.String("stance", "", "support, object, abstain, join or withdraw")
	fs.StringVar(&req.StatementKind, "statement-kind", "", "with join: reservation or interpretative")
	fs.StringVar(&req.Statement, "statement", "", "the reservation, interpretative statement or written objection")
	keyFile := fs.String("key", "", "sign the statement here with the delegation's private key `FILE`, which never leaves this machine (otherwise the service attests it)")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		req.Stance = indivisible.Stance(*stance)
		if *keyFile != "" {
			if err := signPosition(ctx, c, *id, *item, req, *keyFile); err != nil {
				return nil, err
			}
		}
		body, err := marshal(req)
		if err != nil {
			return nil, err
		}
		p, err := reply[indivisible.Position](c.c.api.TakePositionWithBody(ctx, *id, *item, jsonType, body))
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
// the client builds and signs the exact bytes that go into the log, for
// the account the token belongs to and, unless req names one, the
// item's current version.
func signPosition(ctx context.Context, c *forumCtx, forumID, itemID int64, req *indivisible.PositionRequest, keyFile string) error {
	if err := mustExist(keyFile); err != nil {
		return err
	}
	signer, err := ledger.LoadSigner(keyFile)
	if err != nil {
		return err
	}
	acc, err := c.c.whoami(ctx)
	if err != nil {
		return err
	}
	if req.Version == 0 {
		vs, err := reply[struct {
			Versions []*indivisible.ProposalVersion `json:"versions"`
		}](c.c.api.ListVersions(ctx, forumID, itemID))
		if err != nil {
			return err
		}
		if n := len(vs.Versions); n > 0 {
			req.Version = vs.Versions[n-1].Number
		}
	}
	body := (&forum.PositionBody{Type: forum.PositionType, Forum: forumID, Item: itemID, Version: req.Version, Participant: acc.Participant,
		Stance: req.Stance, StatementKind: req.StatementKind, Statement: req.Statement, Time: time.Now().UTC().Format(time.RFC3339Nano)}).Marshal()
	sig, err := signer.Sign(body)
	if err != nil {
		return indivisible.Errorf(indivisible.EINTERNAL, "sign: %v", err)
	}
	*req = indivisible.PositionRequest{Signed: &indivisible.SignedStatement{Body: body, KeyName: signer.Name(), Signature: sig}}
	return nil
}

func forumItemStatus(fs *flag.FlagSet) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	item := fs.Int64("item", 0, "the item's `ID`")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		st, err := reply[indivisible.ItemView](c.c.api.GetItem(ctx, *id, *item))
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

func forumClose(fs *flag.FlagSet) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	item := fs.Int64("item", 0, "the item's `ID`")
	out := fs.String("o", "", "write the outcome document to `FILE`")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		d, err := reply[indivisible.Decision](c.c.api.CloseItem(ctx, *id, *item))
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

func forumOutcome(fs *flag.FlagSet) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	item := fs.Int64("item", 0, "the item's `ID`")
	lang := fs.String("lang", "en", "the document's `LANGUAGE` (en, ru, zh-Hans); any but English is a translation of the record the log attests")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		d, err := reply[indivisible.Decision](c.c.api.GetDecision(ctx, *id, *item))
		if err != nil || *lang == "en" {
			return &forumOut{d, d.Document}, err
		}
		doc, err := readReply(c.c.api.GetOutcome(ctx, *id, *item, func(_ context.Context, req *http.Request) error {
			req.Header.Set("Accept-Language", *lang)
			return nil
		}))
		return &forumOut{d, string(doc)}, err
	}
}

func delphiOpen(fs *flag.FlagSet) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	parameter := fs.String("parameter", "", "the model parameter `PATH`: exercise_intensity, exercise_range_km, notified_discount, observer_discount, cbm.X, weights.X, dyads.AAA-BBB")
	text := fs.String("text", "", "the question's `TEXT`")
	unit := fs.String("unit", "", "the answer's `UNIT`")
	lo := fs.Float64("min", 0, "the smallest answer allowed")
	hi := fs.Float64("max", 0, "the largest answer allowed")
	var stop indivisible.StoppingRule
	fs.Float64Var(&stop.IQR, "iqr", 0, "stop when the interquartile range is at most this (0: never)")
	fs.Float64Var(&stop.Stability, "stability", 0, "stop when the median moves by less than this share (default 0.15)")
	fs.IntVar(&stop.MaxRounds, "max-rounds", 0, "stop after this many rounds (default 4)")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		body, err := marshal(openapiclient.CreateQuestionJSONRequestBody{Parameter: *parameter, Text: *text, Unit: unit, Min: *lo, Max: *hi,
			Stop: &openapiclient.StoppingRule{Iqr: &stop.IQR, Stability: &stop.Stability, MaxRounds: &stop.MaxRounds}})
		if err != nil {
			return nil, err
		}
		q, err := reply[indivisible.Question](c.c.api.CreateQuestionWithBody(ctx, *id, jsonType, body))
		if err != nil {
			return nil, err
		}
		return &forumOut{q, fmt.Sprintf("question %d on %s: round 1 open\n", q.ID, q.Parameter)}, nil
	}
}

func delphiAnswer(fs *flag.FlagSet) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	qid := fs.Int64("question", 0, "the question's `ID`")
	value := fs.Float64("value", 0, "your estimate")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		a, err := reply[indivisible.Answer](c.c.api.AnswerQuestion(ctx, *id, *qid, openapiclient.AnswerQuestionJSONRequestBody{Value: *value}))
		if err != nil {
			return nil, err
		}
		return &forumOut{a, fmt.Sprintf("question %d round %d: answered %g\n", a.QuestionID, a.Round, a.Value)}, nil
	}
}

func delphiRound(fs *flag.FlagSet) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	qid := fs.Int64("question", 0, "the question's `ID`")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		q, err := reply[indivisible.Question](c.c.api.FinishRound(ctx, *id, *qid))
		if err != nil {
			return nil, err
		}
		if len(q.Rounds) == 0 {
			return nil, indivisible.Errorf(indivisible.EINTERNAL, "the server finished a round of question %d but lists none", q.ID)
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

func delphiShow(fs *flag.FlagSet) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	qid := fs.Int64("question", 0, "the question's `ID`")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		fb, err := reply[indivisible.DelphiFeedback](c.c.api.GetQuestion(ctx, *id, *qid))
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

func delphiResult(fs *flag.FlagSet) func(context.Context, *forumCtx) (*forumOut, error) {
	id := fs.Int64("forum", 0, "the forum's `ID`")
	out := fs.String("o", "", "write the parameter file (for assess -params) to `FILE`")
	dist := fs.String("dist", "", "write the distribution file (for simulate -params) to `FILE`")
	return func(ctx context.Context, c *forumCtx) (*forumOut, error) {
		res, err := reply[indivisible.DelphiResult](c.c.api.GetDelphiResult(ctx, *id))
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
			// The API sends the files compact; people read and edit them.
			var b bytes.Buffer
			if err := json.Indent(&b, f.data, "", "  "); err != nil {
				return nil, indivisible.Errorf(indivisible.EINTERNAL, "the server's %s is not JSON: %v", f.name, err)
			}
			if err := os.WriteFile(f.name, append(b.Bytes(), '\n'), 0o644); err != nil {
				return nil, indivisible.Invalid(f.name, "%v", err)
			}
		}
		var b strings.Builder
		for _, q := range res.Questions {
			var d simulate.Dist
			if err := json.Unmarshal(q.Dist, &d); err != nil {
				return nil, indivisible.Errorf(indivisible.EINTERNAL, "the server's distribution of %s: %v", q.Parameter, err)
			}
			fmt.Fprintf(&b, "%s = %g (question %d, %d answers, IQR %g, %s distribution)\n", q.Parameter, q.Final.Median, q.ID, q.Final.N, q.Final.IQR, d.Kind)
		}
		if len(res.Questions) == 0 {
			b.WriteString("no closed questions yet\n")
		}
		return &forumOut{res, b.String()}, nil
	}
}
