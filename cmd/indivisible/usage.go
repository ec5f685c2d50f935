package main

import "strings"

// synopses are the usage lines of the commands, after "indivisible NAME":
// their flags, and their positional arguments in capitals (FILE|URL: a
// SQLite file or a postgres:// URL). The forum's subcommands take theirs
// from their summaries (forumSynopsis).
var synopses = map[string]string{
	"assess": "[-scenario eurasia|DIR] [-params FILE] [-coefficients FILE] [-json] [-tolerance T] PROPOSAL.json|-\n" +
		"       indivisible assess -server URL [-token TOKEN] [-json] [-tolerance T] PROPOSAL.json|-",
	"calibrate": "[-data DIR] [-train Y1-Y2] [-o FILE]",
	"validate":  "[-data DIR] [-train Y1-Y2] [-test Y3-Y4] [-outcome mid|force] [-boot N] [-seed S] [-ablation] [-json] [-svg FILE]",
	"risk":      "[-scenario eurasia|DIR] [-params FILE] [-coefficients FILE] [-o FILE]",
	"explain":   "[-scenario eurasia|DIR] [-params FILE] [-coefficients FILE] [-top N] [-json] CODE",
	"optimize":  "[-scenario eurasia|DIR] [-params FILE] [-coefficients FILE] [-tolerance T] [-json] CANDIDATES.json|-",
	"simulate":  "[-scenario eurasia|DIR] [-params DIST.json] [-draws N] [-seed S] [-workers W] [-tolerance T] [-json] [-dump FILE] PROPOSAL.json|-",
	"declare": "-server URL [-token TOKEN] (-key KEYFILE | -sig SIGFILE) [-scenario eurasia|DIR] [-json] DECL.json\n" +
		"       indivisible declare -sign-only -key KEYFILE [-scenario eurasia|DIR] DECL.json > DECL.sig",
	"findings": "-server URL [-token TOKEN] [-participant CODE] [-rule RULE] [-json]\n" +
		"       indivisible findings -db FILE|URL [-regime FILE] [-participant CODE] [-rule RULE] [-json]",
	"serve":   "[-addr ADDRESS] [-db FILE | -db postgres://… -log-key FILE] [-scenario eurasia|DIR] [-params FILE] [-rate R] [-burst B] [-public-url URL] [-origin NAME] [-witnesses FILE]",
	"demo":    "[-addr ADDRESS] [-dir DIR] [-public-url URL] [-origin NAME]",
	"monitor": "-server URL [-dir DIR] [-once] [-participant CODE] [-witnesses FILE] [-key LOG.pub] [-listen ADDRESS] [-interval D]",
	"version": "",
	"witness": "-listen ADDR -key FILE -logs FILE -state DIR [-name NAME]\n" +
		"       indivisible witness keygen -name NAME -key FILE",

	"admin account-create": "[-db FILE|URL] -name NAME -role secretariat|delegation|expert|public [-participant CODE] [-kind KIND]",
	"admin account-list":   "[-db FILE|URL]",
	"admin token-create":   "[-db FILE|URL] -account ID [-name NAME]",
	"admin token-revoke":   "[-db FILE|URL] -id ID",
	"admin backup":         "[-db FILE] -o BACKUP",
	"admin restore":        "-db NEWFILE BACKUP",

	"ir cinc":     "-nmc FILE [-year Y] [-o FILE]",
	"ir sscore":   "-nmc FILE -atop FILE [-year Y | -years Y1-Y2] [-o FILE]",
	"ir distance": "-capitals FILE [-contiguity FILE] -year Y [-o FILE]",

	"keys new":      "-participant CODE [-o DIR]",
	"keys register": "-db FILE|URL [-log-key FILE] -participant CODE PUBKEYFILE",
	"keys revoke":   "-db FILE|URL [-log-key FILE] -key NAME [-from INDEX]",
	"keys list":     "-db FILE|URL",

	"ledger init":       "-db FILE|URL [-log-key FILE] [-origin NAME]",
	"ledger checkpoint": "-db FILE|URL",
	"ledger proof":      "-db FILE|URL -index N",
	"ledger tile":       "-db FILE|URL PATH",
	"ledger verify":     "-db FILE|URL [-since CP] [-key LOG.pub] [-witnesses FILE]",

	"scenario list":     "[-scenario eurasia|DIR]",
	"scenario show":     "[-scenario eurasia|DIR] CODE",
	"scenario export":   "[-scenario eurasia|DIR] -o DIR",
	"scenario build":    "-year Y (-data DIR | -nmc FILE -atop FILE -capitals FILE) [-contiguity FILE] -o DIR",
	"scenario evidence": "[-scenario eurasia|DIR] [-data DIR] -o DIR",
}

// synopsis is the usage line of the command name ("ledger tile"), after
// "indivisible ".
func synopsis(name string) string {
	s, ok := synopses[name]
	if !ok {
		if sub, isForum := strings.CutPrefix(name, "forum "); isForum {
			s, ok = forumSynopsis(sub)
		}
	}
	if !ok {
		s = "[flags] [args]"
	}
	if s == "" {
		return name
	}
	return name + " " + s
}

// forumSynopsis is a forum subcommand's usage: the flags every forum step
// shares (it is a client of the server's API), then its own, which its
// summary gives after the colon.
func forumSynopsis(sub string) (string, bool) {
	c, ok := forumCommands[sub]
	if !ok {
		return "", false
	}
	s := "[-server URL] [-token TOKEN] [-json]"
	if _, own, ok := strings.Cut(c.summary, ": "); ok {
		s += " " + own
	}
	return s, true
}
