package mailbox

import (
	"html"
	"strings"

	"itbot/bot"
)

// maxFileBytes bounds the files attached to one reply. Graph takes them
// past its 4 MB request limit through upload sessions (graph.go); the
// bound is Exchange Online's message size limit (35 MB by default after
// encoding: base64 makes 20 MB of files about 27 MB).
const maxFileBytes = 20 << 20

// RenderHTML renders replies as one e-mail body in language l: each
// reply's title in bold, its text as paragraphs, its fields as a table;
// approval buttons become a line saying how to approve by answering;
// footer closes the mail. It returns the body and the files to attach
// (at most maxFileBytes together; more are named with a pointer to chat).
func RenderHTML(parts []bot.Reply, l bot.Lang, footer string) (string, []bot.File) {
	var b strings.Builder
	b.WriteString(`<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>` +
		`<body style="font-family:'Segoe UI',Arial,sans-serif;font-size:14px;color:#1b1b1b">` + "\n")
	var files []bot.File
	size := 0
	hint := false
	for i, r := range parts {
		if i > 0 {
			b.WriteString(`<hr style="border:none;border-top:1px solid #ddd">` + "\n")
		}
		if r.Title != "" {
			b.WriteString("<p><b>" + html.EscapeString(r.Title) + "</b></p>\n")
		}
		writeText(&b, r.Text)
		if len(r.Fields) > 0 {
			b.WriteString(`<table style="border-collapse:collapse">` + "\n")
			for _, f := range r.Fields {
				b.WriteString(`<tr><td style="padding:2px 12px 2px 0;color:#555">` + html.EscapeString(f.Label) +
					`</td><td style="padding:2px 0">` + html.EscapeString(f.Value) + "</td></tr>\n")
			}
			b.WriteString("</table>\n")
		}
		for _, bt := range r.Buttons {
			if strings.HasPrefix(bt.Command, bot.Prefix+" approve ") {
				hint = true
			}
		}
		for _, f := range r.Files {
			if size+len(f.Data) >= maxFileBytes {
				id := ""
				if r.Request != nil {
					id = r.Request.ID
				}
				writeText(&b, bot.Tr(l, "mail.file_too_big", bot.Args{"Name": f.Name, "ID": id, "Prefix": bot.Prefix}))
				continue
			}
			size += len(f.Data)
			files = append(files, f)
		}
	}
	if hint {
		writeText(&b, bot.Tr(l, "mail.approval_hint", nil))
	}
	if footer != "" {
		b.WriteString(`<p style="color:#777;font-size:12px">` + html.EscapeString(footer) + "</p>\n")
	}
	b.WriteString("</body></html>\n")
	return b.String(), files
}

// writeText writes text as paragraphs (split at blank lines) with line
// breaks; leading spaces are kept.
func writeText(b *strings.Builder, text string) {
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	for _, para := range strings.Split(text, "\n\n") {
		lines := strings.Split(strings.Trim(para, "\n"), "\n")
		for i, l := range lines {
			trimmed := strings.TrimLeft(l, " ")
			lines[i] = strings.Repeat("&nbsp;", len(l)-len(trimmed)) + html.EscapeString(trimmed)
		}
		b.WriteString("<p>" + strings.Join(lines, "<br>\n") + "</p>\n")
	}
}

// replySubject is the subject of the bot's answer in a thread: the
// thread's subject without prefixes and tags, with the request id tag.
func replySubject(orig, id string) string {
	base := BaseSubject(orig)
	s := "RE: "
	if id != "" {
		s += "[" + id + "] "
	}
	return strings.TrimSpace(s + base)
}
