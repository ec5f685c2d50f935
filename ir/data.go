package ir

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/indivisible-eurasia/indivisible"
)

// Data holds every data set of a folder laid out like the shared
// reference data (cow/, atop/, mid/, rivalry/, unga/, democracy/, codes/),
// with the SHA-256 of each file read, so that a result can name exactly
// the data it was computed from.
type Data struct {
	NMC            []NMC
	ATOP           []Alliance
	Capitals       []Capital
	Contiguity     []Contiguity
	Majors, States []Spell
	Disputes       []DirDispute
	Rivalries      []Rivalry
	Democracy      []Democracy
	Codes          []CountryCode
	// Affinity is the UN General Assembly voting agreement computed from
	// unga/votes.csv and unga/roll-calls.csv; the votes themselves are not
	// kept.
	Affinity *Affinity
	// Files maps each file's path relative to the folder (e.g.
	// "cow/nmc-v7-components.csv") to its hex SHA-256.
	Files map[string]string
}

// The files LoadData reads, relative to its folder.
const (
	fileNMC        = "cow/nmc-v7-components.csv"
	fileATOP       = "atop/alliance-dyad-years.csv"
	fileCapitals   = "cow/capitals.csv"
	fileContiguity = "cow/contiguity.csv"
	fileMajors     = "cow/majors.csv"
	fileStates     = "cow/states.csv"
	fileDisputes   = "mid/gml-dirdisp.csv"
	fileRivalries  = "rivalry/thompson-dreyer.csv"
	fileDemocracy  = "democracy/vdem.csv"
	fileCodes      = "codes/country-codes.csv"
	fileVotes      = "unga/votes.csv"
	fileRollCalls  = "unga/roll-calls.csv"
)

// LoadData reads every file of Data from dir with the package's readers,
// hashing each as it is read. The files are read concurrently: the votes,
// the largest file, which needs the country codes first and then feeds
// NewAffinity, are the longest chain, and the other files are read beside
// it on a second core. Error messages name
// each file by its path under dir. A missing file is an ENOTFOUND
// *indivisible.Error whose Field is that path; any other failure is the
// reader's EINVALID error, the first in the order of the fields of Data.
func LoadData(dir string) (*Data, error) {
	d := &Data{Files: map[string]string{}}
	var mu sync.Mutex // guards d.Files
	// load opens rel, runs read on it through a hash, and records the hash.
	load := func(rel string, read func(io.Reader, string) error) error {
		path := filepath.Join(dir, rel)
		f, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			return indivisible.FieldErrorf(indivisible.ENOTFOUND, path, "data file missing (%s under %s)", rel, dir)
		}
		if err != nil {
			return indivisible.Invalid(path, "%v", err)
		}
		defer f.Close()
		h := sha256.New()
		if err := read(io.TeeReader(f, h), path); err != nil {
			return err
		}
		// The readers stop at the end of the CSV, which is the end of the
		// file; drain anyway so that the hash always covers every byte.
		if _, err := io.Copy(h, f); err != nil {
			return indivisible.Invalid(path, "%v", err)
		}
		mu.Lock()
		d.Files[rel] = hex.EncodeToString(h.Sum(nil))
		mu.Unlock()
		return nil
	}

	var votes []Vote
	var calls []RollCall
	jobs := []func() error{
		func() error {
			return load(fileNMC, func(r io.Reader, n string) (err error) { d.NMC, err = ReadNMC(r, n); return })
		},
		func() error {
			return load(fileATOP, func(r io.Reader, n string) (err error) { d.ATOP, err = ReadATOP(r, n); return })
		},
		func() error {
			return load(fileCapitals, func(r io.Reader, n string) (err error) { d.Capitals, err = ReadCapitals(r, n); return })
		},
		func() error {
			return load(fileContiguity, func(r io.Reader, n string) (err error) { d.Contiguity, err = ReadContiguity(r, n); return })
		},
		func() error {
			return load(fileMajors, func(r io.Reader, n string) (err error) { d.Majors, err = ReadMajors(r, n); return })
		},
		func() error {
			return load(fileStates, func(r io.Reader, n string) (err error) { d.States, err = ReadStates(r, n); return })
		},
		func() error {
			return load(fileDisputes, func(r io.Reader, n string) (err error) { d.Disputes, err = ReadDirDisputes(r, n); return })
		},
		func() error {
			return load(fileRivalries, func(r io.Reader, n string) (err error) { d.Rivalries, err = ReadRivalries(r, n); return })
		},
		func() error {
			return load(fileDemocracy, func(r io.Reader, n string) (err error) { d.Democracy, err = ReadVDem(r, n); return })
		},
		// The codes are tiny and the votes need them: one job reads both,
		// in that order.
		func() error {
			if err := load(fileCodes, func(r io.Reader, n string) (err error) { d.Codes, err = ReadCountryCodes(r, n); return }); err != nil {
				return err
			}
			return load(fileVotes, func(r io.Reader, n string) (err error) { votes, err = ReadVotes(r, n, d.Codes); return })
		},
		func() error {
			return load(fileRollCalls, func(r io.Reader, n string) (err error) { calls, err = ReadRollCalls(r, n); return })
		},
	}
	// One goroutine per file: the Go scheduler spreads them over the
	// cores, and the votes, half of the bytes, start at once.
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	for i, job := range jobs {
		wg.Go(func() { errs[i] = job() })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	d.Affinity = NewAffinity(votes, calls)
	return d, nil
}
