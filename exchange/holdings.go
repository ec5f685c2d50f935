package exchange

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/indivisible-eurasia/indivisible"
)

// participantYear identifies a participant's declaration for a year.
type participantYear struct {
	participant string
	year        int
}

// flow is the sum of a set of reported quantities and the entries that
// reported them.
type flow struct {
	quantity int64
	entries  []int64
}

func (f *flow) add(q int64, entries []int64) {
	f.quantity += q
	f.entries = append(f.entries, entries...)
}

// dedupe groups records by key, reports a duplicate when a group has more
// than one record (a correction should have been filed), and returns each
// group's first and latest record. key is the duplicate's message, and
// args gives its arguments for a group (such as the year).
func dedupe[K comparable](c *checker, recs []*record, keyOf func(*record) K, key string, args func(K) map[string]string) (first, last map[K]*record) {
	groups := map[K][]*record{}
	for _, rec := range recs {
		k := keyOf(rec)
		groups[k] = append(groups[k], rec)
	}
	first, last = map[K]*record{}, map[K]*record{}
	for k, grp := range groups {
		first[k], last[k] = grp[0], grp[len(grp)-1]
		if len(grp) > 1 {
			var entries []int64
			for _, rec := range grp {
				entries = append(entries, rec.entries...)
			}
			p := grp[0].participant
			a := args(k)
			a["participant"], a["count"], a["latest"] = p, fmt.Sprint(len(grp)), fmt.Sprint(last[k].index)
			c.add(RuleDuplicate, "", entries, key, a, p)
		}
	}
	return first, last
}

// annual checks the annual exchanges: their timeliness, the agreed
// ceilings, their consistency with the previous year and the reported
// transfers, and the contributions to collective forces they must cover.
func (c *checker) annual(annual, transfers, contributions []*record) {
	g := c.regime.AnnualExchange
	first, last := dedupe(c, annual, func(rec *record) participantYear {
		return participantYear{rec.participant, rec.decl.AnnualExchange.Year}
	}, "finding.duplicate_declaration.annual", func(k participantYear) map[string]string {
		return map[string]string{"year": fmt.Sprint(k.year)}
	})

	for k, rec := range first {
		if due := g.DuePreviousYear.In(k.year - 1); date(rec.time).After(due) {
			c.add(RuleLateAnnualExchange, g.Reference, []int64{rec.index}, "finding.late_annual_exchange.message",
				map[string]string{"participant": k.participant, "year": fmt.Sprint(k.year), "filed": date(rec.time).Format(time.DateOnly),
					"count": fmt.Sprint(int(date(rec.time).Sub(due).Hours() / 24)), "due": due.Format(time.DateOnly)}, k.participant)
		}
	}

	for k, rec := range last {
		h := rec.decl.AnnualExchange.Holdings
		for _, ceil := range c.regime.Ceilings {
			if v, ok := h[ceil.Category]; ok && ceil.Participant == k.participant && v > ceil.Quantity {
				c.add(RuleCeiling, ceil.Reference, rec.entries, "finding.ceiling_exceeded.message",
					map[string]string{"participant": k.participant, "quantity": fmt.Sprint(v), "category": ceil.Category,
						"year": fmt.Sprint(k.year), "ceiling": fmt.Sprint(ceil.Quantity)}, k.participant)
			}
		}
	}

	// The participant's own reports move its holdings: imports add, exports
	// subtract.
	type flowKey struct {
		participantYear
		category string
	}
	net := map[flowKey]*flow{}
	for _, rec := range transfers {
		t := rec.decl.TransferReport
		k := flowKey{participantYear{rec.participant, t.Year}, t.Category}
		if net[k] == nil {
			net[k] = &flow{}
		}
		q := t.Quantity
		if t.Role == indivisible.Exporter {
			q = -q
		}
		net[k].add(q, rec.entries)
	}
	for k, cur := range last {
		prev := last[participantYear{k.participant, k.year - 1}]
		if prev == nil {
			continue
		}
		for cat, now := range cur.decl.AnnualExchange.Holdings {
			before, ok := prev.decl.AnnualExchange.Holdings[cat]
			if !ok {
				continue // not reported the year before: nothing to compare
			}
			f := net[flowKey{participantYear{k.participant, k.year - 1}, cat}]
			if f == nil {
				f = &flow{}
			}
			expected := before + f.quantity
			tolerance := math.Max(float64(g.ToleranceAbsolute), g.ToleranceRelative*math.Abs(float64(expected)))
			if diff := now - expected; math.Abs(float64(diff)) > tolerance {
				c.add(RuleAnnualInconsistent, g.Reference, slices.Concat(prev.entries, cur.entries, f.entries), "finding.annual_exchange_inconsistent.message",
					map[string]string{"participant": k.participant, "quantity": fmt.Sprint(now), "category": cat, "year": fmt.Sprint(k.year),
						"before": fmt.Sprint(before), "net": fmt.Sprintf("%+d", f.quantity), "previous_year": fmt.Sprint(k.year - 1),
						"expected": fmt.Sprint(expected), "difference": fmt.Sprintf("%+d", diff), "tolerance": fmt.Sprint(tolerance)}, k.participant)
			}
		}
	}

	c.contributions(contributions, last)
}

// contributions checks that what a participant places at the disposal of
// collective forces in a year does not exceed its declared holdings.
func (c *checker) contributions(recs []*record, annual map[participantYear]*record) {
	type orgKey struct {
		participantYear
		organisation string
	}
	_, last := dedupe(c, recs, func(rec *record) orgKey {
		return orgKey{participantYear{rec.participant, rec.decl.ForcesContribution.Year}, rec.decl.ForcesContribution.Organisation}
	}, "finding.duplicate_declaration.contribution", func(k orgKey) map[string]string {
		return map[string]string{"organisation": k.organisation, "year": fmt.Sprint(k.year)}
	})
	type catKey struct {
		participantYear
		category string
	}
	total := map[catKey]*flow{}
	for k, rec := range last {
		for cat, q := range rec.decl.ForcesContribution.Holdings {
			ck := catKey{k.participantYear, cat}
			if total[ck] == nil {
				total[ck] = &flow{}
			}
			total[ck].add(q, rec.entries)
		}
	}
	for k, f := range total {
		a := annual[k.participantYear]
		if a == nil {
			continue
		}
		if held, ok := a.decl.AnnualExchange.Holdings[k.category]; ok && f.quantity > held {
			c.add(RuleContribution, c.regime.AnnualExchange.Reference, slices.Concat(a.entries, f.entries), "finding.contribution_exceeds_holdings.message",
				map[string]string{"participant": k.participant, "quantity": fmt.Sprint(f.quantity), "category": k.category,
					"year": fmt.Sprint(k.year), "held": fmt.Sprint(held)}, k.participant)
		}
	}
}

// mirror compares the exporter's and the importer's reports of the
// transfers between two states in a year and category, as reconcile pairs
// them.
func (c *checker) mirror(recs []*record) {
	ref := c.regime.Transfers.Reference
	for _, t := range reconcile(recs) {
		exp, imp := t.Export, t.Import
		args := map[string]string{"exporter": t.Exporter, "importer": t.Importer, "category": t.Category, "year": fmt.Sprint(t.Year)}
		switch due := c.regime.Transfers.DueFollowingYear.In(t.Year + 1); {
		case t.Status() == indivisible.TransferDiffer:
			args["exported"], args["imported"] = fmt.Sprint(exp.Quantity), fmt.Sprint(imp.Quantity)
			c.add(RuleMirrorMismatch, ref, slices.Concat(exp.Entries, imp.Entries), "finding.transfer_mirror_mismatch.message", args, t.Exporter, t.Importer)
		case imp == nil && date(c.asOf).After(due):
			args["quantity"], args["due"] = fmt.Sprint(exp.Quantity), due.Format(time.DateOnly)
			c.add(RuleMirrorMissing, ref, exp.Entries, "finding.transfer_mirror_missing.import", args, t.Importer)
		case exp == nil && date(c.asOf).After(due):
			args["quantity"], args["due"] = fmt.Sprint(imp.Quantity), due.Format(time.DateOnly)
			c.add(RuleMirrorMissing, ref, imp.Entries, "finding.transfer_mirror_missing.export", args, t.Exporter)
		}
	}
}
