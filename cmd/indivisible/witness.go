package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/witness"
)

// cmdWitness is "indivisible witness": a c2sp.org/tlog-witness server
// cosigning the checkpoints of the logs in -logs (package witness), or,
// as "witness keygen", the making of its key.
func cmdWitness(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "keygen" {
		return cmdWitnessKeygen(e, args[1:])
	}
	fs := newFlags("witness", e)
	listen := fs.String("listen", "", "the `ADDR` to listen on (host:port; port 0 picks a free one)")
	keyFile := fs.String("key", "", "the witness's private key `FILE` (from 'indivisible witness keygen')")
	logsFile := fs.String("logs", "", "`FILE` listing the logs to cosign for, one \"log VKEY [URL]\" line each; the origin is the key's name")
	stateDir := fs.String("state", "", "the state `DIR`: the latest checkpoint cosigned per log (created if missing; one witness per directory)")
	name := fs.String("name", "", "the witness's `NAME`, checked against the key's name (default: the key's name)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return indivisible.Invalid("witness", "unexpected argument %q", fs.Arg(0))
	}
	for _, f := range []struct{ flag, value string }{{"listen", *listen}, {"key", *keyFile}, {"logs", *logsFile}, {"state", *stateDir}} {
		if f.value == "" {
			fs.Usage()
			return indivisible.Invalid(f.flag, "-%s is needed", f.flag)
		}
	}
	if err := mustExist(*keyFile); err != nil {
		return err
	}
	signer, err := witness.LoadSigner(*keyFile)
	if err != nil {
		return err
	}
	if *name != "" && *name != signer.Name() {
		// One Ed25519 key must not cosign under two names (the signed
		// message does not commit to the name): make a key per name.
		return indivisible.Invalid("name", "the key in %s is named %q, not %q; make a key with 'indivisible witness keygen -name %s'", *keyFile, signer.Name(), *name, *name)
	}
	data, err := readInput(*logsFile)
	if err != nil {
		return err
	}
	logs, err := witness.ParseLogs(data)
	if err != nil {
		return indivisible.InFile(*logsFile, err)
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, nil))
	w, err := witness.Open(witness.Config{Signer: signer, Logs: logs, Dir: *stateDir, Logger: logger})
	if err != nil {
		return err
	}
	defer w.Close()
	for _, l := range logs {
		size, _, _ := w.Latest(l.Origin)
		logger.Info("witness: cosigning for log", "origin", l.Origin, "size", size)
	}
	fmt.Fprintf(e.stdout, "witness %s\n", w.VerifierKey())
	return serveHTTP(ctx, e, *listen, w, logger, nil)
}

// cmdWitnessKeygen is "indivisible witness keygen": it writes a new
// witness key to -key (mode 0600, never overwriting) and prints its
// cosignature verifier key, which logs and clients configure.
func cmdWitnessKeygen(e *env, args []string) error {
	fs := newFlags("witness", e)
	name := fs.String("name", "", "the witness's `NAME`, best a URL without the scheme, e.g. witness.example.org/pol")
	keyFile := fs.String("key", "", "the private key `FILE` to create")
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, "usage: indivisible witness keygen -name NAME -key FILE")
		fmt.Fprintln(w, "\nflags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() != 0:
		fs.Usage()
		return indivisible.Invalid("witness keygen", "unexpected argument %q", fs.Arg(0))
	case *name == "":
		fs.Usage()
		return indivisible.Invalid("name", "-name is needed")
	case *keyFile == "":
		fs.Usage()
		return indivisible.Invalid("key", "-key is needed")
	}
	skey, vkey, err := witness.GenerateKey(rand.Reader, *name)
	if err != nil {
		return err
	}
	if err := ledger.WriteKeyFile(*keyFile, skey); err != nil {
		return err
	}
	_, err = fmt.Fprintln(e.stdout, vkey)
	return err
}
