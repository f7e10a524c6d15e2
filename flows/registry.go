package flows

// Builtin returns every flow Acércate ships, in main-menu order (flows
// without a MenuLabel can go anywhere). A new flow is added here,
// explicitly, and nowhere else. The menu order is DESIGN.md's, with the
// families of Chiapanecos abroad after the denuncia: rights, albergues,
// denuncia, families, emergency, talk to a person, language, privacy.
func Builtin() []*Flow {
	return []*Flow{
		rightsFlow(),
		alberguesFlow(),
		denunciaFlow(),
		familiesFlow(),
		emergencyFlow(),
		humanFlow(),
		languageFlow(),
		menuFlow(),
		privacyFlow(),
	}
}
