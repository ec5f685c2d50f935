// Package cosign is the log's side of witnessing: a witness policy (which
// witnesses, where to reach them, and how many must cosign), a Collector
// that submits every new checkpoint of the log to the witnesses
// (c2sp.org/tlog-witness) and serves it with the cosignatures gathered
// (c2sp.org/tlog-cosignature), and the check that clients apply to a
// cosigned checkpoint.
//
// # The policy file
//
// The format is the one filippo.io/torchwood's ParsePolicy reads, itself
// the Sigsum policy format with note verifier keys, compatible with
// Tessera's witness policies. One statement a line; '#' starts a comment:
//
//	log <vkey> [<url>]                    the log's note verifier key (exactly one)
//	witness <name> <vkey> [<url>]         a witness: its cosignature/v1 verifier key and
//	                                      the URL prefix of its tlog-witness API
//	group <name> <k|any|all> <member>...  k of the members (witnesses or earlier groups)
//	quorum <name|none>                    the witness or group whose approval is required
//
// For example, two of three delegations' witnesses:
//
//	log indivisible.log+5e7a3c2f+AU...
//	witness POL pol.example/witness+1a2b3c4d+BA... https://witness.pol.example
//	witness KAZ kaz.example/witness+...       https://witness.kaz.example
//	witness ARM arm.example/witness+...       https://witness.arm.example
//	group delegations 2 POL KAZ ARM
//	quorum delegations
//
// The log key's name must be the log's origin (the first line of its
// checkpoints), as torchwood requires; ledger.GenerateLogKey names it so.
// The collector submits to every witness with a URL; one without is only
// checked.
package cosign

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ledger"
)

// Witness is one witness of a policy.
type Witness struct {
	// Name is the witness's name in the policy file (the "witness"
	// statement's first argument), which groups refer to.
	Name string
	// Key is its cosignature/v1 verifier key (c2sp.org/tlog-cosignature);
	// the key's own name appears on its cosignature lines.
	Key string
	// URL is the prefix of its c2sp.org/tlog-witness API
	// (URL/add-checkpoint), or "" when the log does not submit to it.
	URL string

	verifier *torchwood.CosignatureVerifier
}

// component is a witness or a group of the policy.
type component struct {
	witness int // index in Witnesses, or -1 for a group
	k       int
	members []string
}

// Policy is a parsed witness policy. It is immutable.
type Policy struct {
	// LogKey is the log's note verifier key; LogURL the optional URL on
	// its line.
	LogKey, LogURL string
	// Witnesses are the witnesses in the order of the file.
	Witnesses []Witness
	// Quorum names the witness or group that must approve a checkpoint,
	// or is "none".
	Quorum string

	log        note.Verifier
	components map[string]component
	tw         torchwood.Policy
}

// ReadPolicy reads and parses the policy file at path (ENOTFOUND if it
// does not exist).
func ReadPolicy(path string) (*Policy, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, indivisible.FieldErrorf(indivisible.ENOTFOUND, path, "no such witness policy file")
		}
		return nil, indivisible.Invalid(path, "cannot read: %v", err)
	}
	return ParsePolicy(path, b)
}

// ParsePolicy parses a policy file; name is the file's name, for errors,
// which are EINVALID with the field "name:line".
func ParsePolicy(name string, data []byte) (*Policy, error) {
	p := &Policy{components: map[string]component{}}
	bad := func(line int, format string, args ...any) error {
		return indivisible.Invalid(name+":"+strconv.Itoa(line), format, args...)
	}
	quorumLine := 0
	for i, line := range strings.Split(string(data), "\n") {
		n := i + 1
		line, _, _ = strings.Cut(line, "#")
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "log":
			if len(f) < 2 || len(f) > 3 {
				return nil, bad(n, "want \"log <vkey> [<url>]\"")
			}
			if p.log != nil {
				return nil, bad(n, "a second log: a policy names the one log it is for")
			}
			v, err := note.NewVerifier(f[1])
			if err != nil {
				return nil, bad(n, "log key %q: %v", f[1], err)
			}
			p.log, p.LogKey = v, f[1]
			if len(f) == 3 {
				if err := checkURL(f[2]); err != nil {
					return nil, bad(n, "log URL %q: %v", f[2], err)
				}
				p.LogURL = f[2]
			}
		case "witness":
			if len(f) < 3 || len(f) > 4 {
				return nil, bad(n, "want \"witness <name> <vkey> [<url>]\"")
			}
			if _, dup := p.components[f[1]]; dup {
				return nil, bad(n, "%q is defined twice", f[1])
			}
			v, err := torchwood.NewCosignatureVerifier(f[2])
			if err != nil {
				return nil, bad(n, "witness %s: key %q is not a cosignature/v1 verifier key: %v", f[1], f[2], err)
			}
			for _, w := range p.Witnesses {
				if w.verifier.Name() == v.Name() && w.verifier.KeyHash() == v.KeyHash() {
					return nil, bad(n, "witness %s has the key of witness %s", f[1], w.Name)
				}
			}
			w := Witness{Name: f[1], Key: f[2], verifier: v}
			if len(f) == 4 {
				if err := checkURL(f[3]); err != nil {
					return nil, bad(n, "witness %s: URL %q: %v", f[1], f[3], err)
				}
				w.URL = strings.TrimRight(f[3], "/")
			}
			p.components[f[1]] = component{witness: len(p.Witnesses)}
			p.Witnesses = append(p.Witnesses, w)
		case "group":
			if len(f) < 4 {
				return nil, bad(n, "want \"group <name> <k|any|all> <member>...\"")
			}
			if _, dup := p.components[f[1]]; dup {
				return nil, bad(n, "%q is defined twice", f[1])
			}
			members := f[3:]
			for _, m := range members {
				if _, ok := p.components[m]; !ok {
					return nil, bad(n, "group %s: unknown member %q (define witnesses and groups before the groups that use them)", f[1], m)
				}
			}
			k := 0
			switch f[2] {
			case "any":
				k = 1
			case "all":
				k = len(members)
			default:
				var err error
				if k, err = strconv.Atoi(f[2]); err != nil || k < 1 || k > len(members) {
					return nil, bad(n, "group %s: threshold %q must be any, all or 1 to %d", f[1], f[2], len(members))
				}
			}
			p.components[f[1]] = component{witness: -1, k: k, members: members}
		case "quorum":
			if len(f) != 2 {
				return nil, bad(n, "want \"quorum <name|none>\"")
			}
			if quorumLine > 0 {
				return nil, bad(n, "a second quorum (the first is on line %d)", quorumLine)
			}
			if _, ok := p.components[f[1]]; !ok && f[1] != "none" {
				return nil, bad(n, "quorum %q is neither a witness nor a group defined above, nor none", f[1])
			}
			p.Quorum, quorumLine = f[1], n
		default:
			return nil, bad(n, "unknown statement %q (want log, witness, group or quorum)", f[0])
		}
	}
	if p.log == nil {
		return nil, indivisible.Invalid(name, "no log statement: the policy must name the log's key")
	}
	if quorumLine == 0 {
		return nil, indivisible.Invalid(name, "no quorum statement (\"quorum none\" asks for no witness)")
	}
	// torchwood is the reference reading of the format and does the
	// cryptographic check: what it refuses, we refuse.
	tw, err := torchwood.ParsePolicy(data)
	if err != nil {
		field, msg := name, err.Error()
		if m := lineErr.FindStringSubmatch(msg); m != nil {
			field, msg = name+":"+m[1], m[2]
		}
		return nil, indivisible.Invalid(field, "%s", msg)
	}
	p.tw = tw
	return p, nil
}

var lineErr = regexp.MustCompile(`^line (\d+): (.*)$`)

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("not an absolute http or https URL")
	}
	return nil
}

// Torchwood returns the policy as torchwood reads it, for
// torchwood.VerifyCheckpoint.
func (p *Policy) Torchwood() torchwood.Policy { return p.tw }

// CheckLog checks that the policy is for the log info describes: the
// same verifier key, named by the log's origin. EINVALID otherwise.
func (p *Policy) CheckLog(info indivisible.LogInfo) error {
	if p.LogKey != info.VerifierKey {
		return indivisible.Invalid("witnesses", "the policy's log key %s is not this log's key %s", p.LogKey, info.VerifierKey)
	}
	if p.log.Name() != info.Origin {
		return indivisible.Invalid("witnesses", "the log key is named %q but the log's origin is %q: witnesses and torchwood require them equal", p.log.Name(), info.Origin)
	}
	return nil
}

// Describe says in words what the quorum asks, e.g. "2 of POL, KAZ, ARM".
func (p *Policy) Describe() string {
	if p.Quorum == "none" {
		return "none (no witness is required)"
	}
	return p.describe(p.Quorum)
}

func (p *Policy) describe(name string) string {
	c := p.components[name]
	if c.witness >= 0 {
		return name
	}
	parts := make([]string, len(c.members))
	for i, m := range c.members {
		parts[i] = p.describe(m)
		if p.components[m].witness < 0 {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	k := strconv.Itoa(c.k)
	if c.k == len(c.members) && c.k > 1 {
		k = "all"
	}
	return k + " of " + strings.Join(parts, ", ")
}

// Satisfied says whether the witnesses named in cosigned (by their policy
// names) meet the quorum, and if not, which witnesses of the quorum lack
// a cosignature, in the policy's order.
func (p *Policy) Satisfied(cosigned map[string]bool) (ok bool, missing []string) {
	if p.Quorum == "none" {
		return true, nil
	}
	if p.satisfied(p.Quorum, cosigned) {
		return true, nil
	}
	seen := map[string]bool{}
	p.leaves(p.Quorum, func(w string) {
		if !cosigned[w] && !seen[w] {
			seen[w] = true
			missing = append(missing, w)
		}
	})
	slices.SortFunc(missing, func(a, b string) int { return p.components[a].witness - p.components[b].witness })
	return false, missing
}

func (p *Policy) satisfied(name string, cosigned map[string]bool) bool {
	c := p.components[name]
	if c.witness >= 0 {
		return cosigned[name]
	}
	n := 0
	for _, m := range c.members {
		if p.satisfied(m, cosigned) {
			n++
		}
	}
	return n >= c.k
}

func (p *Policy) leaves(name string, f func(string)) {
	c := p.components[name]
	if c.witness >= 0 {
		f(name)
		return
	}
	for _, m := range c.members {
		p.leaves(m, f)
	}
}

// sigLine is one signature line of a signed note.
type sigLine struct {
	name string
	hash uint32
	sig  []byte // after the key hash
	line string // the whole line with its newline
}

// splitSigned splits a signed note into its text (ending in a newline) and
// its signature lines.
func splitSigned(msg []byte) (text []byte, sigs []sigLine, err error) {
	i := bytes.LastIndex(msg, []byte("\n\n"))
	if i < 0 || !bytes.HasSuffix(msg, []byte("\n")) {
		return nil, nil, indivisible.Invalid("checkpoint", "not a signed note")
	}
	text = msg[:i+1]
	for _, l := range strings.SplitAfter(string(msg[i+2:]), "\n") {
		if l == "" {
			continue
		}
		rest, ok := strings.CutPrefix(l, "— ")
		name, b64, ok2 := strings.Cut(strings.TrimSuffix(rest, "\n"), " ")
		raw, err := base64.StdEncoding.DecodeString(b64)
		if !ok || !ok2 || err != nil || len(raw) < 5 {
			return nil, nil, indivisible.Invalid("checkpoint", "malformed signature line %q", strings.TrimSuffix(l, "\n"))
		}
		sigs = append(sigs, sigLine{name: name, hash: binary.BigEndian.Uint32(raw), sig: raw[4:], line: l})
	}
	return text, sigs, nil
}

// Cosigners returns, by policy name, the witnesses with a valid
// cosignature on the checkpoint note msg, and the line of each. It checks
// no other signature.
func (p *Policy) Cosigners(msg []byte) (map[string]string, error) {
	text, sigs, err := splitSigned(msg)
	if err != nil {
		return nil, err
	}
	return p.cosigners(text, sigs), nil
}

func (p *Policy) cosigners(text []byte, sigs []sigLine) map[string]string {
	out := map[string]string{}
	for _, s := range sigs {
		for _, w := range p.Witnesses {
			v := w.verifier
			if _, done := out[w.Name]; !done && s.name == v.Name() && s.hash == v.KeyHash() && v.Verify(text, s.sig) {
				out[w.Name] = s.line
			}
		}
	}
	return out
}

// Verify checks a cosigned checkpoint note under the policy: the log's
// signature (EUNAUTHORIZED if missing or bad), the quorum of valid witness
// cosignatures (EUNAUTHORIZED naming the witnesses of the quorum without
// one), and torchwood's own verification of the same. Cosignatures that
// do not verify are ignored, as are signatures by keys the policy does
// not name.
func (p *Policy) Verify(msg []byte) (indivisible.Checkpoint, error) {
	cp, err := ledger.OpenCheckpoint(msg, p.log)
	if err != nil {
		return cp, err
	}
	if cp.Origin != p.log.Name() {
		return cp, indivisible.FieldErrorf(indivisible.EUNAUTHORIZED, "checkpoint", "origin %q is not the log key's name %q", cp.Origin, p.log.Name())
	}
	text, sigs, err := splitSigned(msg)
	if err != nil {
		return cp, err
	}
	valid := p.cosigners(text, sigs)
	have := map[string]bool{}
	for name := range valid {
		have[name] = true
	}
	if ok, missing := p.Satisfied(have); !ok {
		return cp, indivisible.FieldErrorf(indivisible.EUNAUTHORIZED, "checkpoint",
			"the checkpoint of size %d has %d valid witness cosignature(s), short of the quorum (%s): missing valid cosignatures from %s",
			cp.Size, len(valid), p.Describe(), strings.Join(missing, ", "))
	}
	// torchwood refuses a note with any bad signature by a key it knows;
	// give it the log's lines and the valid cosignatures only.
	var b bytes.Buffer
	b.Write(text)
	b.WriteString("\n")
	for _, s := range sigs {
		if s.name == p.log.Name() && s.hash == p.log.KeyHash() {
			b.WriteString(s.line)
		}
	}
	for _, w := range p.Witnesses {
		b.WriteString(valid[w.Name])
	}
	if _, _, err := torchwood.VerifyCheckpoint(b.Bytes(), p.tw); err != nil {
		return cp, indivisible.FieldErrorf(indivisible.EUNAUTHORIZED, "checkpoint", "refused by the policy: %v", err)
	}
	return cp, nil
}

// Spec is a policy as data, for a verifier outside Go (the entry page's
// ledger.js): the witnesses with their cosignature/v1 verifier keys, the
// groups, and the quorum. It omits the log's key and the URLs, which a
// verifier of cosignatures does not need.
type Spec struct {
	// Witnesses are the policy's witnesses, in its order.
	Witnesses []SpecWitness `json:"witnesses"`
	// Groups are the policy's groups by name.
	Groups map[string]SpecGroup `json:"groups"`
	// Quorum names the witness or group whose approval is required, or is
	// "none".
	Quorum string `json:"quorum"`
	// Describe says the quorum in words (Policy.Describe), for messages.
	Describe string `json:"describe"`
}

// SpecWitness is one witness of a Spec.
type SpecWitness struct {
	// Name is the witness's policy name, which groups and the quorum use.
	Name string `json:"name"`
	// Key is its cosignature/v1 verifier key,
	// "name+hash+base64(0x04 || public key)".
	Key string `json:"key"`
}

// SpecGroup is one group of a Spec: satisfied when at least K of its
// members (witnesses or groups) are.
type SpecGroup struct {
	K       int      `json:"k"`
	Members []string `json:"members"`
}

// Spec returns the policy as data. A verifier evaluates it as Satisfied
// does: a witness is satisfied by a valid cosignature under its key; a
// group when at least K of its members are; the quorum "none" always.
func (p *Policy) Spec() Spec {
	s := Spec{Groups: map[string]SpecGroup{}, Quorum: p.Quorum, Describe: p.Describe()}
	for _, w := range p.Witnesses {
		s.Witnesses = append(s.Witnesses, SpecWitness{Name: w.Name, Key: w.Key})
	}
	for name, c := range p.components {
		if c.witness < 0 {
			s.Groups[name] = SpecGroup{K: c.k, Members: slices.Clone(c.members)}
		}
	}
	return s
}
