package slack

import (
	"strings"
)

// Plain turns the markup Slack puts in message text back into what the
// person typed: <mailto:a@b.lv|a@b.lv> becomes a@b.lv, a link <URL|label>
// its label (<URL> the URL), a channel <#C123|it> #it, a user <@U123>
// @U123, a special mention <!here> @here, and &amp; &lt; &gt; are
// unescaped. Anything that is not well-formed markup is left as it is.
func Plain(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for len(s) > 0 {
		i := strings.IndexAny(s, "<&")
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		s = s[i:]
		if s[0] == '&' {
			switch {
			case strings.HasPrefix(s, "&amp;"):
				b.WriteByte('&')
				s = s[5:]
			case strings.HasPrefix(s, "&lt;"):
				b.WriteByte('<')
				s = s[4:]
			case strings.HasPrefix(s, "&gt;"):
				b.WriteByte('>')
				s = s[4:]
			default:
				b.WriteByte('&')
				s = s[1:]
			}
			continue
		}
		end := strings.IndexByte(s, '>')
		if end < 0 || strings.ContainsAny(s[1:end], "<\n") {
			b.WriteByte('<')
			s = s[1:]
			continue
		}
		b.WriteString(unlink(s[1:end]))
		s = s[end+1:]
	}
	return b.String()
}

// unlink renders the inside of one <…> markup.
func unlink(in string) string {
	target, label, hasLabel := strings.Cut(in, "|")
	switch {
	case strings.HasPrefix(target, "@"):
		if hasLabel && label != "" {
			return "@" + label
		}
		return target
	case strings.HasPrefix(target, "#"):
		if hasLabel && label != "" {
			return "#" + label
		}
		return target
	case strings.HasPrefix(target, "!"):
		name, _, _ := strings.Cut(target[1:], "^")
		if hasLabel && label != "" {
			return label
		}
		return "@" + name
	}
	if hasLabel && label != "" {
		return unescape(label)
	}
	return unescape(strings.TrimPrefix(target, "mailto:"))
}

func unescape(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(s)
}

// stripMention removes the leading mentions of an app_mention's text
// ("<@U0BOT> palīdzi" → "palīdzi").
func stripMention(s string) string {
	s = strings.TrimSpace(s)
	for strings.HasPrefix(s, "<@") {
		end := strings.IndexByte(s, '>')
		if end < 0 {
			break
		}
		s = strings.TrimSpace(s[end+1:])
	}
	return s
}
