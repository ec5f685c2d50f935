package witness

import (
	"slices"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/indivisible-eurasia/indivisible"
)

// Log is a log the witness cosigns for.
type Log struct {
	// Origin is the log's checkpoint origin line, which identifies it.
	Origin string
	// Keys are the note verifier keys of the log; a checkpoint signed by
	// any one of them is accepted (more than one while a key is rotated).
	Keys []string
}

// ParseLogs parses the list of logs a witness knows. It is the "log" lines
// of a Sigsum, Tessera or torchwood policy file, with vkeys:
//
//	# comment
//	log VKEY [URL]
//
// VKEY is the log's note verifier key (NAME+HASH+BASE64) and the log's
// origin is the key's NAME, as for Indivisible's own log, whose key is
// named after its origin. Several lines with one origin give the log
// several keys. URL is informational and ignored. So that a policy file
// can be reused as it is, "witness", "group" and "quorum" lines are
// accepted and ignored; any other line is an error. Errors are EINVALID
// with the line number as field.
func ParseLogs(data []byte) ([]Log, error) {
	var logs []Log
	byOrigin := map[string]int{}
	for i, line := range strings.Split(string(data), "\n") {
		field := strconv.Itoa(i + 1)
		line, _, _ = strings.Cut(line, "#")
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "witness", "group", "quorum":
			continue
		case "log":
		default:
			return nil, indivisible.Invalid(field, "unknown keyword %q: want \"log VKEY [URL]\"", f[0])
		}
		if len(f) < 2 || len(f) > 3 {
			return nil, indivisible.Invalid(field, "want \"log VKEY [URL]\"")
		}
		v, err := note.NewVerifier(f[1])
		if err != nil {
			return nil, indivisible.Invalid(field, "%q is not a log's note verifier key: %v", f[1], err)
		}
		origin := v.Name()
		if _, err := stateName(origin); err != nil {
			return nil, indivisible.Invalid(field, "%v", err)
		}
		k, ok := byOrigin[origin]
		if !ok {
			k = len(logs)
			byOrigin[origin] = k
			logs = append(logs, Log{Origin: origin})
		}
		if slices.Contains(logs[k].Keys, f[1]) {
			return nil, indivisible.Invalid(field, "key %s is listed twice", f[1])
		}
		logs[k].Keys = append(logs[k].Keys, f[1])
	}
	if len(logs) == 0 {
		return nil, indivisible.Invalid("", "no \"log VKEY\" line: the witness would know no log")
	}
	return logs, nil
}
