package model

// Workspace holds the buffers of a re-parameterised System (its MID
// baseline's linear predictors, odds, deployment factors and security, and
// the expert dyad factors), so that a Monte Carlo worker or an optimiser
// allocates them once rather than per evaluation. A Workspace is not safe for concurrent use: give each
// goroutine its own.
type Workspace struct {
	sys  System
	mid  baseline
	odds []float64
}

// Reparam returns sys under the parameters p (and p.Coefficients, when
// set). It reuses what depends on the scenario alone (the states, their
// holdings, deployments, distances, commitments and evidence) and
// recomputes what the parameters change: the capability of holdings, the
// features, the hazards and the baseline security. It costs a few n²
// operations, where Compile's geodesics cost thousands of iterative
// solutions.
//
// With a non-nil ws the result lives in ws's buffers and stays valid until
// the next Reparam with the same ws; with nil it is freshly allocated. The
// error, for invalid parameters, is EINVALID and names the parameter.
func (sys *System) Reparam(p Params, ws *Workspace) (*System, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if ws == nil {
		ws = &Workspace{}
	}
	r := &ws.sys
	r.structure = sys.structure
	if err := r.parametrise(p, sys, true, ws); err != nil {
		return nil, err
	}
	return r, nil
}
