package flows

// Builtin returns every flow Acércate ships, in main-menu order (flows
// without a MenuLabel can go anywhere). A new flow is added here,
// explicitly, and nowhere else. The menu order is DESIGN.md's: rights,
// albergues, denuncia, emergency, talk to a person, language, privacy.
func Builtin() []*Flow {
	return []*Flow{
		rightsFlow(),
		alberguesFlow(),
		denunciaFlow(),
		emergencyFlow(),
		humanFlow(),
		languageFlow(),
		menuFlow(),
		privacyFlow(),
		infoFlow(),
	}
}
