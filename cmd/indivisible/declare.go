package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/api/openapiclient"
	"github.com/indivisible-eurasia/indivisible/exchange"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/scenario"
)

// cmdDeclare checks a declaration and signs its exact bytes with a
// delegation's key, here: the key never leaves the machine. It then files
// body, key name and signature with the server (POST
// /api/v1/declarations) and prints the entry's index, its inclusion proof
// and the findings that involve it. The server appends nothing on any
// error. With -sign-only it prints the detached signature and sends
// nothing.
func cmdDeclare(ctx context.Context, e *env, args []string) error {
	fs := newFlags("declare", e)
	rf := remote(fs, serverUsage)
	keyFile := fs.String("key", "", "the delegation's private key `FILE` (NAME.key from 'indivisible keys new')")
	sigFile := fs.String("sig", "", "submit with the detached signature in `FILE` (written by -sign-only) instead of -key")
	signOnly := fs.Bool("sign-only", false, "check and sign the declaration with -key, print the detached signature and submit nothing")
	scen := fs.String("scenario", scenario.DefaultName, "scenario whose codes declarations use, for the check before signing: eurasia (embedded) or a directory")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return indivisible.Invalid("DECL.json", "one declaration file is needed")
	}
	name := fs.Arg(0)
	body, err := readLimited(e, name, exchange.MaxDeclarationSize)
	if err != nil {
		return err
	}
	s, err := openScenario(*scen)
	if err != nil {
		return err
	}
	d, err := exchange.Parse(body, exchange.NewCodes(s))
	if err != nil {
		return indivisible.InFile(name, err)
	}

	var keyName string
	var sig []byte
	switch {
	case (*keyFile == "") == (*sigFile == "") || *signOnly && *keyFile == "":
		return indivisible.Invalid("key", "give -key KEYFILE to sign, or -sig SIGFILE with a signature made by -sign-only")
	case *keyFile != "":
		if err := mustExist(*keyFile); err != nil {
			return err
		}
		signer, err := ledger.LoadSigner(*keyFile)
		if err != nil {
			return err
		}
		if sig, err = signer.Sign(body); err != nil {
			return indivisible.Errorf(indivisible.EINTERNAL, "sign: %v", err)
		}
		keyName = signer.Name()
	default:
		if keyName, sig, err = readSignature(*sigFile); err != nil {
			return err
		}
	}
	if *signOnly {
		_, err := fmt.Fprintf(e.stdout, "%s %s\n", keyName, base64.StdEncoding.EncodeToString(sig))
		return err
	}

	c, err := rf.dial(e)
	if err != nil {
		return err
	}
	sub, err := reply[struct {
		Entry struct {
			Index int64  `json:"index"`
			Time  string `json:"time"`
		} `json:"entry"`
		Proof string `json:"proof"`
	}](c.api.SubmitDeclaration(ctx, openapiclient.SubmitDeclarationJSONRequestBody{Declaration: body, KeyName: keyName, Signature: sig}))
	if err != nil {
		return indivisible.InFile(name, err)
	}
	entry := sub.Entry
	// The entry's own page carries the findings that involve it.
	filed, err := reply[struct {
		Findings []indivisible.Finding `json:"findings"`
	}](c.api.GetDeclaration(ctx, entry.Index))
	if err != nil {
		return err
	}
	findings := filed.Findings

	if *asJSON {
		return writeJSON(e.stdout, struct {
			Index       int64                       `json:"index"`
			Time        string                      `json:"time"`
			Kind        indivisible.DeclarationKind `json:"kind"`
			Participant string                      `json:"participant"`
			KeyName     string                      `json:"key_name"`
			Proof       string                      `json:"proof"`
			Findings    []indivisible.Finding       `json:"findings"`
		}{entry.Index, entry.Time, d.Kind, d.Participant, keyName, sub.Proof, nonNil(findings)})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "appended entry %d: %s of %s signed by %s at %s\n\ninclusion proof:\n%s\n", entry.Index, d.Kind, d.Participant, keyName,
		entry.Time, sub.Proof)
	if len(findings) == 0 {
		fmt.Fprintf(&b, "no findings involve entry %d\n", entry.Index)
	} else {
		fmt.Fprintf(&b, "findings involving entry %d:\n", entry.Index)
		writeFindings(&b, findings)
	}
	_, err = io.WriteString(e.stdout, b.String())
	return err
}

// cmdFindings prints the regime's findings over the whole log: the
// server's (GET /api/v1/findings), or, with -db, recomputed here from a
// database read-only under any regime file. They are a deterministic
// function of log and regime, so nothing is stored.
func cmdFindings(ctx context.Context, e *env, args []string) error {
	fs := newFlags("findings", e)
	rf := remote(fs, serverUsage)
	db := fs.String("db", "", "recompute from the log in this database (SQLite `FILE` or postgres://… URL), read-only, instead of asking -server")
	participant := fs.String("participant", "", "only the findings concerning participant `CODE`")
	rule := fs.String("rule", "", "only the findings of `RULE` (see docs/exchange.md)")
	regimeFile := fs.String("regime", "", "with -db: regime `FILE` (default: the embedded Vienna Document 2011 regime)")
	asJSON := fs.Bool("json", false, "print the findings as a JSON array")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return indivisible.Invalid("findings", "unexpected argument %q", fs.Arg(0))
	}
	var (
		findings []indivisible.Finding
		size     int64
		err      error
	)
	if *db != "" {
		findings, size, err = localFindings(ctx, e, *db, *regimeFile, *participant, *rule)
	} else {
		if *regimeFile != "" {
			return indivisible.Invalid("regime", "the server's findings follow its own regime; -regime FILE needs -db")
		}
		findings, size, err = remoteFindings(ctx, e, rf, *participant, *rule)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, nonNil(findings))
	}
	var b strings.Builder
	writeFindings(&b, findings)
	plural := "s"
	if len(findings) == 1 {
		plural = ""
	}
	fmt.Fprintf(&b, "%d finding%s over %d entries\n", len(findings), plural, size)
	_, err = io.WriteString(e.stdout, b.String())
	return err
}

// remoteFindings asks the server for its findings, which it filters.
func remoteFindings(ctx context.Context, e *env, rf *remoteFlags, participant, rule string) ([]indivisible.Finding, int64, error) {
	c, err := rf.dial(e)
	if err != nil {
		return nil, 0, err
	}
	params := &openapiclient.ListFindingsParams{}
	if participant != "" {
		params.Participant = &participant
	}
	if rule != "" {
		params.Rule = &rule
	}
	r, err := reply[struct {
		Findings []indivisible.Finding `json:"findings"`
		LogSize  int64                 `json:"log_size"`
	}](c.api.ListFindings(ctx, params))
	if err != nil {
		return nil, 0, err
	}
	return r.Findings, r.LogSize, nil
}

// localFindings recomputes the findings from a database opened
// read-only, under the regime file ("" the embedded one).
func localFindings(ctx context.Context, e *env, db, regimeFile, participant, rule string) ([]indivisible.Finding, int64, error) {
	if rule != "" && !slices.Contains(exchange.Rules, rule) {
		return nil, 0, indivisible.Invalid("rule", "%q is not a rule; the rules are %s", rule, strings.Join(exchange.Rules, ", "))
	}
	regime, err := loadRegime(e, regimeFile)
	if err != nil {
		return nil, 0, err
	}
	l, done, err := openLog(ctx, db, "", false)
	if err != nil {
		return nil, 0, err
	}
	defer done()
	findings, size, err := exchange.NewService(l, nil, regime).Findings(ctx, nil)
	if err != nil {
		return nil, 0, err
	}
	if participant != "" {
		findings = exchange.Concerning(findings, participant)
	}
	if rule != "" {
		findings = slices.DeleteFunc(findings, func(f indivisible.Finding) bool { return f.Rule != rule })
	}
	return findings, size, nil
}

// writeFindings writes findings two lines each: what and where, then the
// message.
func writeFindings(b *strings.Builder, findings []indivisible.Finding) {
	for _, f := range findings {
		entries := make([]string, len(f.Entries))
		for i, x := range f.Entries {
			entries[i] = fmt.Sprint(x)
		}
		fmt.Fprintf(b, "%s  %s  entries %s", f.Rule, strings.Join(f.Participants, ","), strings.Join(entries, ","))
		if f.Reference != "" {
			fmt.Fprintf(b, "  (%s)", f.Reference)
		}
		fmt.Fprintf(b, "\n    %s\n", f.Message)
	}
}

func nonNil(fs []indivisible.Finding) []indivisible.Finding {
	if fs == nil {
		return []indivisible.Finding{}
	}
	return fs
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// loadRegime reads a regime file, or returns the embedded default for "".
func loadRegime(e *env, name string) (*exchange.Regime, error) {
	if name == "" {
		return exchange.DefaultRegime(), nil
	}
	b, err := readLimited(e, name, exchange.MaxRegimeSize)
	if err != nil {
		return nil, err
	}
	r, err := exchange.ParseRegime(b)
	if err != nil {
		return nil, indivisible.InFile(name, err)
	}
	return r, nil
}

// readLimited reads a file ("-" for standard input) of at most limit
// bytes; a larger one is ETOOLARGE.
func readLimited(e *env, name string, limit int) ([]byte, error) {
	r, err := openInput(e, name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, indivisible.Invalid(name, "%v", err)
	}
	if len(b) > limit {
		return nil, indivisible.FieldErrorf(indivisible.ETOOLARGE, name, "larger than %d bytes", limit)
	}
	return b, nil
}

// readSignature reads a detached signature file: one line "KEYNAME
// BASE64SIGNATURE", as declare -sign-only writes it.
func readSignature(name string) (string, []byte, error) {
	b, err := readInput(name)
	if err != nil {
		return "", nil, err
	}
	f := strings.Fields(string(b))
	if len(f) != 2 || !indivisible.IsToken(f[0]) {
		return "", nil, indivisible.Invalid(name, "not a signature file: want one line \"KEYNAME BASE64SIGNATURE\"")
	}
	sig, err := base64.StdEncoding.DecodeString(f[1])
	if err != nil || len(sig) == 0 || len(sig) > 255 {
		return "", nil, indivisible.Invalid(name, "the signature is not base64 of at most 255 bytes")
	}
	return f[0], sig, nil
}
