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
	"github.com/indivisible-eurasia/indivisible/exchange"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/scenario"
)

// logTime formats log times: UTC with the log's millisecond precision.
const logTime = "2006-01-02T15:04:05.000Z07:00"

// cmdDeclare checks a declaration, signs its exact bytes with a
// delegation's key and appends it to the log; it prints the entry's index,
// its inclusion proof and the findings that involve it. Nothing is
// appended on any error.
func cmdDeclare(ctx context.Context, e *env, args []string) error {
	fs := newFlags("declare", e)
	db := fs.String("db", "", "SQLite database `FILE` holding the log")
	keyFile := fs.String("key", "", "the delegation's private key `FILE` (NAME.key from 'indivisible keys new')")
	sigFile := fs.String("sig", "", "submit with the detached signature in `FILE` (written by -sign-only) instead of -key")
	signOnly := fs.Bool("sign-only", false, "check and sign the declaration with -key, print the detached signature and submit nothing")
	scen := fs.String("scenario", scenario.DefaultName, "scenario whose codes declarations use: eurasia (embedded) or a directory")
	regimeFile := fs.String("regime", "", "regime `FILE` (default: the embedded Vienna Document 2011 regime)")
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

	regime, err := loadRegime(e, *regimeFile)
	if err != nil {
		return err
	}
	l, done, err := openLog(ctx, *db, true)
	if err != nil {
		return err
	}
	defer done()
	svc := exchange.NewService(l, exchange.NewCodes(s), regime)
	sub, err := svc.Submit(ctx, body, keyName, sig)
	if err != nil {
		return indivisible.InFile(name, err)
	}
	entry := sub.Entry
	proof, err := l.ProveInclusion(ctx, entry.Index)
	if err != nil {
		return err
	}
	proofText, err := proof.MarshalText()
	if err != nil {
		return err
	}
	all, _, err := svc.Findings(ctx)
	if err != nil {
		return err
	}
	findings := exchange.Involving(all, entry.Index)

	if *asJSON {
		return writeJSON(e.stdout, struct {
			Index       int64                       `json:"index"`
			Time        string                      `json:"time"`
			Kind        indivisible.DeclarationKind `json:"kind"`
			Participant string                      `json:"participant"`
			KeyName     string                      `json:"key_name"`
			Proof       string                      `json:"proof"`
			Findings    []indivisible.Finding       `json:"findings"`
		}{entry.Index, entry.Time.Format(logTime), d.Kind, d.Participant, keyName, string(proofText), nonNil(findings)})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "appended entry %d: %s of %s signed by %s at %s\n\ninclusion proof:\n%s\n", entry.Index, d.Kind, d.Participant, keyName,
		entry.Time.Format(logTime), proofText)
	if len(findings) == 0 {
		fmt.Fprintf(&b, "no findings involve entry %d\n", entry.Index)
	} else {
		fmt.Fprintf(&b, "findings involving entry %d:\n", entry.Index)
		writeFindings(&b, findings)
	}
	_, err = io.WriteString(e.stdout, b.String())
	return err
}

// cmdFindings recomputes the findings from the whole log and the regime:
// they are a deterministic function of both, so nothing is stored.
func cmdFindings(ctx context.Context, e *env, args []string) error {
	fs := newFlags("findings", e)
	db := fs.String("db", "", "SQLite database `FILE` holding the log")
	participant := fs.String("participant", "", "only the findings concerning participant `CODE`")
	rule := fs.String("rule", "", "only the findings of `RULE` (see docs/exchange.md)")
	regimeFile := fs.String("regime", "", "regime `FILE` (default: the embedded Vienna Document 2011 regime)")
	asJSON := fs.Bool("json", false, "print the findings as a JSON array")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return indivisible.Invalid("findings", "unexpected argument %q", fs.Arg(0))
	}
	if *rule != "" && !slices.Contains(exchange.Rules, *rule) {
		return indivisible.Invalid("rule", "%q is not a rule; the rules are %s", *rule, strings.Join(exchange.Rules, ", "))
	}
	regime, err := loadRegime(e, *regimeFile)
	if err != nil {
		return err
	}
	l, done, err := openLog(ctx, *db, false)
	if err != nil {
		return err
	}
	defer done()
	findings, size, err := exchange.NewService(l, nil, regime).Findings(ctx)
	if err != nil {
		return err
	}
	if *participant != "" {
		findings = exchange.Concerning(findings, *participant)
	}
	if *rule != "" {
		findings = slices.DeleteFunc(findings, func(f indivisible.Finding) bool { return f.Rule != *rule })
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
