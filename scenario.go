// Package indivisible holds the domain of the Indivisible security
// architecture: participants, their alliances and forces, the measures that
// change them, and the assessment of a measure's effect on everyone's
// security. Subpackages are named for the concern or dependency they wrap.
package indivisible

// ParticipantKind distinguishes states from organisations.
type ParticipantKind string

// Participant kinds.
const (
	State        ParticipantKind = "state"
	Organisation ParticipantKind = "organisation"
)

// Participant is a state (coded ISO 3166-1 alpha-3) or an organisation
// (a short code such as CSTO).
type Participant struct {
	Code    string          `json:"code"`
	Name    string          `json:"name"`
	Kind    ParticipantKind `json:"kind"`
	Capital string          `json:"capital,omitempty"`
	Lat     float64         `json:"lat"`
	Lon     float64         `json:"lon"`
	// Borders lists the codes of states sharing a land border (filled from
	// borders.csv, sorted).
	Borders []string `json:"borders,omitempty"`
}

// MembershipRole is a state's standing in an organisation.
type MembershipRole string

// Membership roles. Only members are bound by an organisation's commitments.
const (
	Member          MembershipRole = "member"
	Partner         MembershipRole = "partner"
	Observer        MembershipRole = "observer"
	DialoguePartner MembershipRole = "dialogue_partner"
)

// Roles lists the valid roles.
var Roles = []MembershipRole{Member, Partner, Observer, DialoguePartner}

// Membership records a state's role in an organisation.
type Membership struct {
	State        string         `json:"state"`
	Organisation string         `json:"organisation"`
	Role         MembershipRole `json:"role"`
	Since        int            `json:"since,omitempty"`
}

// CommitmentType follows the ATOP obligation types (Leeds et al. 2002).
type CommitmentType string

// ATOP obligation types.
const (
	Defence       CommitmentType = "defence"
	Offence       CommitmentType = "offence"
	Neutrality    CommitmentType = "neutrality"
	NonAggression CommitmentType = "non_aggression"
	Consultation  CommitmentType = "consultation"
)

// CommitmentTypes lists the valid types, strongest tie first.
var CommitmentTypes = []CommitmentType{Defence, Offence, Neutrality, Consultation, NonAggression}

// TieValue is the valued ATOP coding used for S scores (Signorino & Ritter
// 1999; the fpsim convention): 3 for defence or offence, 2 for neutrality
// or consultation, 1 for non-aggression only.
func (t CommitmentType) TieValue() int {
	switch t {
	case Defence, Offence:
		return 3
	case Neutrality, Consultation:
		return 2
	case NonAggression:
		return 1
	}
	return 0
}

// Commitment binds parties to an obligation. When A is an organisation and
// B is empty, the obligation binds every pair of the organisation's members
// (for example NATO Art. 5); otherwise it binds the two states A and B.
type Commitment struct {
	A      string         `json:"a"`
	B      string         `json:"b,omitempty"`
	Type   CommitmentType `json:"type"`
	Treaty string         `json:"treaty"`
	Year   int            `json:"year,omitempty"`
}

// Component is one input of the capability index: a holdings category such
// as battle_tanks, or an NMC component such as milex. Weight is its weight
// in the capability index.
type Component struct {
	Name   string  `json:"name"`
	Weight float64 `json:"weight"`
	Unit   string  `json:"unit,omitempty"`
}

// The holdings categories of the Eurasia scenario: personnel plus the UN
// Register of Conventional Arms categories I-VII.
const (
	Personnel              = "personnel"
	BattleTanks            = "battle_tanks"
	ArmouredCombatVehicles = "armoured_combat_vehicles"
	Artillery              = "artillery"
	CombatAircraft         = "combat_aircraft"
	AttackHelicopters      = "attack_helicopters"
	Warships               = "warships"
	Missiles               = "missiles"
)

// Categories lists the holdings categories in register order.
var Categories = []string{Personnel, BattleTanks, ArmouredCombatVehicles, Artillery, CombatAircraft, AttackHelicopters, Warships, Missiles}

// Holding is a state's total holding of one component, including forces it
// has deployed abroad. Missing marks a value the source does not report
// (the COW -9): it is left out of the capability index, not counted as 0.
type Holding struct {
	State     string  `json:"state"`
	Component string  `json:"component"`
	Quantity  float64 `json:"quantity"`
	Missing   bool    `json:"missing,omitempty"`
	Year      int     `json:"year,omitempty"`
	Source    string  `json:"source,omitempty"`
}

// Deployment is part of State's holding stationed in Host.
type Deployment struct {
	State     string  `json:"state"`
	Host      string  `json:"host"`
	Component string  `json:"component"`
	Quantity  float64 `json:"quantity"`
	Year      int     `json:"year,omitempty"`
	Source    string  `json:"source,omitempty"`
}

// Scenario is everything the model sees: who participates, who is allied to
// whom, and what forces are where.
type Scenario struct {
	Name         string        `json:"name"`
	Year         int           `json:"year"`
	Description  string        `json:"description,omitempty"`
	Components   []Component   `json:"components"`
	Participants []Participant `json:"participants"`
	Memberships  []Membership  `json:"memberships"`
	Commitments  []Commitment  `json:"commitments"`
	Holdings     []Holding     `json:"holdings"`
	Deployments  []Deployment  `json:"deployments"`
	// Evidence feeds the hazard model; see Evidence.
	Evidence
}

// CheckDelegation checks that participant is a participant of the scenario
// and, unless kind is empty, that a delegation of that kind can speak for
// it: a state sends a member-state or partner-state delegation, an
// organisation an organisation or integration-association one. Only
// member states block a consensus, so an organisation registered as one
// would change every tally.
func (s *Scenario) CheckDelegation(participant string, kind DelegationKind) error {
	p, ok := s.Participant(participant)
	if !ok {
		return Invalid("participant", "unknown participant %q", participant)
	}
	fits := map[ParticipantKind][]DelegationKind{
		State:        {MemberState, PartnerState},
		Organisation: {OrganisationDelegation, IntegrationAssociation},
	}[p.Kind]
	if kind != "" && !oneOf(kind, fits) {
		return Invalid("kind", "%s is %s, so its delegation is %s or %s, not %s", participant, article(p.Kind), fits[0], fits[1], kind)
	}
	return nil
}

func article(k ParticipantKind) string {
	if k == Organisation {
		return "an organisation"
	}
	return "a state"
}

// Participant returns the participant with the given code.
func (s *Scenario) Participant(code string) (Participant, bool) {
	for _, p := range s.Participants {
		if p.Code == code {
			return p, true
		}
	}
	return Participant{}, false
}

// Component returns the component with the given name.
func (s *Scenario) Component(name string) (Component, bool) {
	for _, c := range s.Components {
		if c.Name == name {
			return c, true
		}
	}
	return Component{}, false
}
