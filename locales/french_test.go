package locales

import (
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The French messages address the person as "vous": an adult stranger
// spoken to by a state office expects it, and a mix of "tu" and "vous"
// reads as careless. This test catches an informal form slipping back in.
//
// Not checked: understand.* and *.words / *.keywords (what people type),
// and the staff group's own messages (staff.g.*, privacy.g.*), which are
// for the office's team, not for the person.
var informalFR = regexp.MustCompile(`(?i)(^|[^\p{L}'’-])(tu|te|toi|ton|ta|tes|t['’])($|[^\p{L}'’])|-(toi|tu)($|[^\p{L}])|(^|[^\p{L}])t['’]`)

// Spanish proper names and the multilingual language picker, where the
// words are not French.
var notFrench = []string{"Elige tu idioma", "México te abraza"}

func TestFrenchSaysVous(t *testing.T) {
	fr := load(t)["fr"]
	ids := make([]string, 0, len(fr))
	for id := range fr {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if strings.HasPrefix(id, "understand.") || strings.HasPrefix(id, "keywords.") ||
			strings.HasSuffix(id, ".words") || strings.HasSuffix(id, ".keywords") ||
			strings.HasPrefix(id, "staff.g.") || strings.Contains(id, ".g.") {
			continue
		}
		text := fr[id]
		for _, s := range notFrench {
			text = strings.ReplaceAll(text, s, "")
		}
		if m := informalFR.FindString(text); m != "" {
			t.Errorf("%s says %q: use \"vous\"", id, strings.TrimSpace(m))
		}
	}
}
