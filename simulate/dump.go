package simulate

import (
	"encoding/json"
	"io"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/model"
)

// WriteInputs writes, as one JSON object, the model's raw inputs for the
// measures (model.System.Export, under the system's parameters, with
// Go's security before and after), the measures themselves and the
// distributions: what bench/reference_simulate.py, an independent NumPy
// implementation of the same equations, reads. The reference remakes the
// odds factors of CBMs and exercises from the measures, since the
// distributions change them.
func WriteInputs(w io.Writer, sys *model.System, spec *Spec, measures []indivisible.Measure) error {
	in, err := sys.Export(measures)
	if err != nil {
		return err
	}
	if measures == nil {
		measures = []indivisible.Measure{}
	}
	// Go's baseline design, every column (candidates too), for the
	// reference to check its own features against: the coalition, a
	// candidate, would otherwise never reach a hazard.
	return json.NewEncoder(w).Encode(struct {
		Inputs   *model.Inputs         `json:"inputs"`
		Measures []indivisible.Measure `json:"measures"`
		Spec     *Spec                 `json:"spec"`
		Columns  []string              `json:"columns"`
		Design   []float64             `json:"design"`
	}{in, measures, spec, model.Columns, sys.Design()})
}
