package flows

import (
	"slices"
	"testing"
)

// TestEveryFlowIsCounted: every registered flow says what its requests
// count as in the weekly report, once, and the definition names no flow
// that does not exist. A new flow without a row here fails this test
// instead of silently landing in "other".
func TestEveryFlowIsCounted(t *testing.T) {
	kinds := []string{KindRights, KindShelters, KindDenuncia, KindStaff, KindEmergency, KindFamilies, KindInfo, KindOther}
	seen := map[string]int{}
	for _, k := range RequestKinds {
		seen[k.Flow]++
		if !slices.Contains(kinds, k.Kind) {
			t.Errorf("flow %q counts as unknown kind %q", k.Flow, k.Kind)
		}
		if k.KeepDetail && k.Counted == "" {
			t.Errorf("flow %q keeps the detail of counted rows but counts none", k.Flow)
		}
	}
	flows := map[string]bool{}
	for _, f := range Builtin() {
		flows[f.Name] = true
		switch seen[f.Name] {
		case 0:
			t.Errorf("flow %q is not in RequestKinds: say what its requests count as", f.Name)
		case 1:
		default:
			t.Errorf("flow %q is in RequestKinds %d times", f.Name, seen[f.Name])
		}
	}
	for _, k := range RequestKinds {
		if !flows[k.Flow] {
			t.Errorf("RequestKinds names flow %q, which is not registered", k.Flow)
		}
	}
}

func TestCountedAs(t *testing.T) {
	for _, tc := range []struct{ flow, topic, detail, want string }{
		{"rights", "asylum", "", KindRights},
		{"rights", "asylum", "2", ""},
		{"rights", "", "", ""},
		{"albergues", "search", "city=tapachula", KindShelters},
		{"albergues", "ask", "", ""},
		{"emergency", "help", "text", KindEmergency},
		{"families", "remains", "", KindFamilies},
		{"families", "remains", "3", ""},
		{"families", "", "", ""},
		{"denuncia", "filed", "robo", ""},
		{"human", "open", "normal", ""},
		{"info", "legal", "", KindInfo},
		{"info", "", "-", KindInfo}, // a row rolled up before info was counted
		{"menu", "show", "", ""},
		{"gone", "x", "", ""},
	} {
		if got := CountedAs(tc.flow, tc.topic, tc.detail); got != tc.want {
			t.Errorf("CountedAs(%q, %q, %q) = %q, want %q", tc.flow, tc.topic, tc.detail, got, tc.want)
		}
	}
}
