package nlu

// questions holds, per slot, the message key a dialogue uses to ask for it
// and a default wording in both languages for bots without a catalogue.
var questions = map[string]struct{ key, lv, en string }{
	SlotUser:        {"nlu.ask.user", "Kuram lietotājam? Lūdzu norādiet e-pasta adresi.", "For which user? Please give their e-mail address."},
	SlotMailbox:     {"nlu.ask.mailbox", "Kura pastkaste? Lūdzu norādiet tās adresi.", "Which mailbox? Please give its address."},
	SlotSender:      {"nlu.ask.sender", "Kurš sūtītājs vai domēns? (piem., info@firma.lv vai firma.lv)", "Which sender or domain? (e.g. info@firm.com or firm.com)"},
	SlotSKU:         {"nlu.ask.sku", "Kura licence? (E1, E3, E5, F3, Exchange Online Plan 1/2, Kiosk)", "Which licence? (E1, E3, E5, F3, Exchange Online Plan 1/2, Kiosk)"},
	SlotKind:        {"nlu.ask.kind", "Personīga vai tehniska pastkaste?", "A personal or a technical mailbox?"},
	SlotPermission:  {"nlu.ask.permission", "Kādas tiesības: pilna piekļuve vai sūtīt kā (Send As)?", "Which permission: Full Access or Send As?"},
	SlotRole:        {"nlu.ask.role", "Kāda DVS loma? (piem., lietvedis, lasītājs, vadītājs)", "Which DVS role? (e.g. lietvedis, lasītājs, vadītājs)"},
	SlotDisplayName: {"nlu.ask.display_name", "Kāds būs attēlojamais vārds?", "What display name should it have?"},
	SlotFrom:        {"nlu.ask.from", "No kura datuma? (GGGG-MM-DD)", "From which date? (YYYY-MM-DD)"},
	SlotTo:          {"nlu.ask.to", "Līdz kuram datumam? (GGGG-MM-DD)", "Until which date? (YYYY-MM-DD)"},
	SlotService:     {"nlu.ask.service", "Kurš pakalpojums: DVS vai e-pasts?", "Which service: the DVS or e-mail?"},
	SlotID:          {"nlu.ask.id", "Kurš pieteikums? (piem., IT-2026-000123)", "Which request? (e.g. IT-2026-000123)"},
}

// QuestionKey returns the message-catalogue key under which a dialogue asks
// for slot ("nlu.ask.user" …), or "" for an unknown slot.
func QuestionKey(slot string) string { return questions[slot].key }

// Question returns the default question for slot in lang ("lv" or "en";
// anything else gets English), or "" for an unknown slot.
func Question(slot, lang string) string {
	q := questions[slot]
	if lang == "lv" {
		return q.lv
	}
	return q.en
}
