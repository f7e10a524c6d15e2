package flows

import (
	"strings"
	"testing"

	"github.com/acercate/acercate/secret"
)

func testKeys(t testing.TB) *secret.Keys {
	t.Helper()
	k, err := secret.Parse(secret.Generate())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestStaffButtonData(t *testing.T) {
	keys := testKeys(t)
	data := StaffButtonData(keys, -1001234567890, "close", 123456789)
	if len(data) > MaxButtonData {
		t.Fatalf("%d bytes: %q", len(data), data)
	}
	action, id, ok := parseStaffButton(keys, -1001234567890, data)
	if !ok || action != "close" || id != 123456789 {
		t.Fatalf("parsed %q %d %v", action, id, ok)
	}
	refused := []struct {
		name, data string
		chat       int64
	}{
		{"another group", data, -100999},
		{"another ticket", strings.Replace(data, ":123456789:", ":123456788:", 1), -1001234567890},
		{"another action", strings.Replace(data, "stf:close:", "stf:take:", 1), -1001234567890},
		{"no signature", "stf:close:123456789", -1001234567890},
		{"an engine button", "menu:*::", -1001234567890},
	}
	for _, r := range refused {
		if _, _, ok := parseStaffButton(keys, r.chat, r.data); ok {
			t.Errorf("%s: %q accepted", r.name, r.data)
		}
	}
	if _, _, ok := parseStaffButton(testKeys(t), -1001234567890, data); ok {
		t.Error("accepted under another data key")
	}
}

// FuzzStaffButton: no data, however made, panics or passes without the
// signature the desk made.
func FuzzStaffButton(f *testing.F) {
	keys := testKeys(f)
	good := StaffButtonData(keys, -100, "take", 1)
	f.Add(good)
	f.Add("stf:take:1:")
	f.Add("stf::::")
	f.Add("stf:take:-1:" + strings.Repeat("a", 16))
	f.Fuzz(func(t *testing.T, data string) {
		action, id, ok := parseStaffButton(keys, -100, data)
		if ok && StaffButtonData(keys, -100, action, id) != data {
			t.Fatalf("accepted %q as %s %d", data, action, id)
		}
	})
}
