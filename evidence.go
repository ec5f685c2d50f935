package indivisible

// Evidence is what a scenario records about its states and pairs beyond
// forces and treaties: the inputs of the hazard model (docs/model.md,
// section 2) that history can check. Every part is optional: a pair
// without a record has the value a pair with no evidence has in the
// historical data (no rivalry, no dispute on record, affinity unknown).
type Evidence struct {
	// Capabilities give each state's baseline capability as a share of
	// the world's (CINC). Without one, a state's capability is its
	// holdings index (section 1).
	Capabilities []Capability `json:"capabilities,omitempty"`
	// Regimes give each state's V-Dem electoral democracy index.
	Regimes []Regime `json:"regimes,omitempty"`
	// Majors lists the major powers (COW).
	Majors []Major `json:"majors,omitempty"`
	// Contiguities lists pairs separated by at most 400 miles of water
	// (COW direct contiguity types 2 to 5); land borders stay in
	// Participant.Borders.
	Contiguities []Contiguity `json:"contiguities,omitempty"`
	// Affinities give the pairs' UN General Assembly voting agreement.
	Affinities []Affinity `json:"affinities,omitempty"`
	// Rivalries are strategic rivalries (Thompson and Dreyer).
	Rivalries []Rivalry `json:"rivalries,omitempty"`
	// Histories summarise each pair's militarized disputes up to a year;
	// Disputes add the disputes after it.
	Histories []History `json:"histories,omitempty"`
	Disputes  []Dispute `json:"disputes,omitempty"`
}

// Capability is a state's share of the world's material capabilities.
type Capability struct {
	State string `json:"state"`
	// CINC is the state's composite index of national capability: the
	// mean of its shares of the world totals of the six COW components.
	CINC float64 `json:"cinc"`
	// Military is the part of CINC that military expenditure and
	// personnel contribute; holdings measures scale it (section 5).
	Military float64 `json:"military"`
	Year     int     `json:"year,omitempty"`
	Source   string  `json:"source,omitempty"`
}

// Regime is a state's V-Dem electoral democracy index (v2x_polyarchy).
type Regime struct {
	State     string  `json:"state"`
	Polyarchy float64 `json:"polyarchy"`
	Year      int     `json:"year,omitempty"`
	Source    string  `json:"source,omitempty"`
}

// Major marks a state as a major power.
type Major struct {
	State  string `json:"state"`
	Since  int    `json:"since,omitempty"`
	Source string `json:"source,omitempty"`
}

// Contiguity types of the COW Direct Contiguity data beyond land (1):
// separated by at most 12, 24, 150 or 400 miles of water.
const (
	ContiguityLand = 1
	ContiguitySea  = 5 // the widest water separation that counts
)

// Contiguity is a pair of states separated by water of COW type Type
// (2 to 5).
type Contiguity struct {
	A    string `json:"a"`
	B    string `json:"b"`
	Type int    `json:"type"`
}

// Affinity is a pair's agreement in UN General Assembly roll calls:
// 1 - Σ|v_a - v_b| / 2N over the N roll calls both voted in, with yes,
// abstain and no coded 1, 2 and 3.
type Affinity struct {
	A         string  `json:"a"`
	B         string  `json:"b"`
	Agreement float64 `json:"agreement"`
	Votes     int     `json:"votes,omitempty"`
	Year      int     `json:"year,omitempty"`
}

// Rivalry is a strategic rivalry: two states that regard each other as
// competitors, sources of threat and enemies (Thompson and Dreyer 2011).
type Rivalry struct {
	A     string `json:"a"`
	B     string `json:"b"`
	Since int    `json:"since"`
	// Ended is the year the rivalry ended; 0 while it goes on.
	Ended  int      `json:"ended,omitempty"`
	Types  []string `json:"types,omitempty"`
	Source string   `json:"source,omitempty"`
	Date   string   `json:"date,omitempty"`
}

// History summarises a pair's militarized disputes (GML MID) up to and
// including the year Through.
type History struct {
	A       string `json:"a"`
	B       string `json:"b"`
	Through int    `json:"through"`
	// Last is the last year in which the pair was in a dispute; 0 for
	// none on record.
	Last int `json:"last,omitempty"`
	// DecayAB and DecayBA count A's (B's) dyadic dispute onsets as Side A
	// against B (A), each weighted by exp(-age/τ) at the year Through
	// (docs/model.md, section 2).
	DecayAB float64 `json:"decay_ab,omitempty"`
	DecayBA float64 `json:"decay_ba,omitempty"`
}

// Dispute is one year of a militarized interstate dispute between A, on
// the side that took the first militarized action, and B.
type Dispute struct {
	Year int    `json:"year"`
	A    string `json:"a"`
	B    string `json:"b"`
	// Initiated says that A is known to have initiated it; when false the
	// side is unknown and the dispute counts for neither direction's
	// initiation history, only for the pair's peace years.
	Initiated bool `json:"initiated"`
	// Onset marks the first year of the dispute between the pair.
	Onset bool `json:"onset"`
	// HostLev is the highest hostility level reached: 2 threat, 3
	// display, 4 use of force, 5 war.
	HostLev int    `json:"hostlev"`
	Source  string `json:"source,omitempty"`
	Date    string `json:"date,omitempty"`
	Note    string `json:"note,omitempty"`
}

// PairRisk is the model's hazard for one ordered pair: the probability
// that From initiates a militarized interstate dispute against To within a
// year (P; PForce for one with the use of force), and how each feature
// contributes to its linear predictor (MID outcome).
type PairRisk struct {
	From   string  `json:"from"`
	To     string  `json:"to"`
	P      float64 `json:"p"`
	PForce float64 `json:"p_force"`
	// Contributions are β_k x_k for every feature; Deployments is what
	// forces abroad add (docs/model.md, section 5), and Odds any expert
	// factor on the pair's odds.
	Contributions []Contribution `json:"contributions"`
	Deployments   float64        `json:"deployments"`
	Odds          float64        `json:"odds"`
}

// Contribution is one feature's part in a pair's linear predictor.
type Contribution struct {
	Feature string  `json:"feature"`
	Value   float64 `json:"value"`
	Coef    float64 `json:"coef"`
	Term    float64 `json:"term"`
}

// Explanation says why a state has its security: the probability that no
// state initiates a dispute against it, its rank, and the pairs that
// contribute most to its risk.
type Explanation struct {
	Code          string     `json:"code"`
	Name          string     `json:"name"`
	Year          int        `json:"year"`
	Security      float64    `json:"security"`
	Risk          float64    `json:"risk"`
	ForceSecurity float64    `json:"force_security"`
	Rank          int        `json:"rank"` // 1 for the most secure
	Of            int        `json:"of"`
	Threats       []PairRisk `json:"threats"`
}
