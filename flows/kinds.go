package flows

// What a request counts as, defined once: the request log records each
// event's flow, topic and detail (Ctx.Log); RequestKinds says, for every
// flow, which kind of request its rows are, which of them the weekly
// report counts as that kind's figure, and what the report's rollups keep
// of them. The store generates its SQL (the rollups' trigger, the
// request-log queries) from this table, and the report classifies the rows
// it reads with CountedAs: nothing else says it. A flow missing from it is
// a test failure (kinds_test.go), not a silently uncounted flow.

// The kinds of request.
const (
	KindRights    = "rights"
	KindShelters  = "albergues"
	KindDenuncia  = "denuncia"
	KindStaff     = "staff"
	KindEmergency = "emergency"
	KindFamilies  = "families"
	KindInfo      = "info"
	KindOther     = "other"
)

// RequestKind is what one flow's request-log rows count as.
type RequestKind struct {
	// Flow is the flow whose rows these are.
	Flow string
	// Kind is what every row of the flow is (Kind* above).
	Kind string
	// Counted is the topic of the rows the report counts as the kind's
	// figure: "search", "help"; AnyTopic for every row with a topic;
	// EveryRow for every row of the flow, whatever its topic; ""
	// for none (the kind is counted elsewhere: denuncias and tickets from
	// their own tables).
	Counted string
	// FirstPage counts only rows with an empty detail: a topic's later
	// pages (detail "2", "3") are the same view read on.
	FirstPage bool
	// KeepTopic keeps the topic in the rollups: the report breaks the
	// kind down by it (rights topics, families subjects).
	KeepTopic bool
	// KeepDetail keeps the detail of counted rows in the rollups (a
	// search's city, an emergency's trigger); other rows keep "-".
	KeepDetail bool
}

// AnyTopic counts every row that has a topic.
const AnyTopic = "*"

// EveryRow counts every row of the flow. It needs no topic in the
// rollups, so rows kept there before a flow was counted still count.
const EveryRow = "**"

// RequestKinds is the one definition, a row per shipped flow.
var RequestKinds = []RequestKind{
	{Flow: "rights", Kind: KindRights, Counted: AnyTopic, FirstPage: true, KeepTopic: true},
	{Flow: "albergues", Kind: KindShelters, Counted: "search", KeepTopic: true, KeepDetail: true},
	{Flow: "denuncia", Kind: KindDenuncia},
	{Flow: "families", Kind: KindFamilies, Counted: AnyTopic, FirstPage: true, KeepTopic: true},
	{Flow: "emergency", Kind: KindEmergency, Counted: "help", KeepTopic: true, KeepDetail: true},
	{Flow: "human", Kind: KindStaff, KeepTopic: true},
	// The information answers reached from free text (legal aid,
	// consulates, UNHCR/IOM, módulos, CURP, cards): each answer shown is
	// one, the report's "info_requests". Every row counts, so the weeks
	// rolled up before info had a kind of its own (its rows then kept no
	// topic) count the same.
	{Flow: "info", Kind: KindInfo, Counted: EveryRow},
	{Flow: "language", Kind: KindOther},
	{Flow: "menu", Kind: KindOther},
	{Flow: "privacy", Kind: KindOther},
}

// RequestKindOf returns the definition of a flow's rows; a flow it does
// not list (rows of a flow this version no longer has) is "other".
func RequestKindOf(flow string) RequestKind {
	for _, k := range RequestKinds {
		if k.Flow == flow {
			return k
		}
	}
	return RequestKind{Flow: flow, Kind: KindOther}
}

// CountedAs returns the kind a row (or a group of alike rows) of the
// request log counts as in the report's figures, or "" when it counts only
// as a request.
func CountedAs(flow, topic, detail string) string {
	k := RequestKindOf(flow)
	switch {
	case k.Counted == "":
		return ""
	case k.Counted == EveryRow:
		return k.Kind
	case k.Counted == AnyTopic && topic == "":
		return ""
	case k.Counted != AnyTopic && topic != k.Counted:
		return ""
	case k.FirstPage && detail != "":
		return ""
	}
	return k.Kind
}
