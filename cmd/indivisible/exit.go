package main

import "github.com/indivisible-eurasia/indivisible"

// exitCodes is the one translation of error codes to the process's exit
// status (README, "Exit status"): 2 for bad input, 3 when the credential
// is missing or not enough, 4 for something not found, 5 for a conflict,
// 6 when rate-limited, 7 for evidence that a log misbehaved.
var exitCodes = map[string]int{
	indivisible.EINVALID:      2,
	indivisible.EUNAUTHORIZED: 3,
	indivisible.EFORBIDDEN:    3,
	indivisible.ENOTFOUND:     4,
	indivisible.EMETHOD:       2,
	indivisible.ECONFLICT:     5,
	indivisible.ETOOLARGE:     2,
	indivisible.ERATELIMIT:    6,
	indivisible.EINCONSISTENT: 7,
	indivisible.EINTERNAL:     1,
}

// exitCode is err's exit status (0 for nil).
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	if c, ok := exitCodes[indivisible.ErrorCode(err)]; ok {
		return c
	}
	return 1 // a code without a row is an internal error, never success
}
