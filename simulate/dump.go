package simulate

import (
	"encoding/json"
	"io"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/model"
)

// WriteInputs writes, as one JSON object, the model's compiled inputs for
// the measures (model.System.Export, under the system's parameters) and
// the distributions: what bench/reference_simulate.py, an independent
// NumPy implementation of the same equations, reads.
func WriteInputs(w io.Writer, sys *model.System, spec *Spec, measures []indivisible.Measure) error {
	in, err := sys.Export(measures)
	if err != nil {
		return err
	}
	return json.NewEncoder(w).Encode(struct {
		Inputs *model.Inputs `json:"inputs"`
		Spec   *Spec         `json:"spec"`
	}{in, spec})
}
