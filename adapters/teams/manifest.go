package teams

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"strings"

	"itbot/bot"
)

// Manifest writes the Teams app package (a zip with manifest.json and the
// two icons) for the bot appID: scopes personal, team and groupChat, and
// a command list from the router's commands (Teams shows at most 10 per
// list; the most used first, as help lists them).
func Manifest(w io.Writer, appID, webURL string, specs []*bot.Spec) error {
	var cmds []map[string]string
	for _, s := range specs {
		if s.Hidden || len(cmds) == 10 {
			continue
		}
		cmds = append(cmds, map[string]string{"title": clip(bot.Prefix+" "+s.Name(), 32), "description": clip(bot.Tr(bot.EN, s.Help, nil), 128)})
	}
	if webURL == "" {
		webURL = "https://itbot.example.lv"
	}
	m := map[string]any{
		"$schema":         "https://developer.microsoft.com/en-us/json-schemas/teams/v1.17/MicrosoftTeams.schema.json",
		"manifestVersion": "1.17", "version": "1.0.0", "id": appID,
		"developer": map[string]string{"name": "VRAA IT dienests", "websiteUrl": webURL, "privacyUrl": webURL + "/privacy", "termsOfUseUrl": webURL + "/terms"},
		"name":      map[string]string{"short": "itbot", "full": "itbot — IT dienesta pieteikumi"},
		"description": map[string]string{"short": "IT requests: licences, mailboxes, DVS",
			"full": "Ask the agency's IT service desk for Exchange Online and DVS changes, approve them and follow them to the end, in Latvian or English."},
		"icons":       map[string]string{"color": "color.png", "outline": "outline.png"},
		"accentColor": "#0B5CAD",
		"bots": []any{map[string]any{"botId": appID, "scopes": []string{"personal", "team", "groupChat"}, "supportsFiles": false, "isNotificationOnly": false,
			"commandLists": []any{map[string]any{"scopes": []string{"personal", "team", "groupChat"}, "commands": cmds}}}},
		"permissions":  []string{"identity", "messageTeamMembers"},
		"validDomains": []string{strings.TrimPrefix(strings.TrimPrefix(webURL, "https://"), "http://")},
	}
	mj, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	for name, data := range map[string][]byte{"manifest.json": mj, "color.png": icon(192, color.RGBA{0x0b, 0x5c, 0xad, 0xff}), "outline.png": icon(32, color.RGBA{0xff, 0xff, 0xff, 0xff})} {
		f, err := zw.Create(name)
		if err != nil {
			return err
		}
		if _, err := f.Write(data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// icon draws a square icon: a filled disc of c (the outline icon is white
// on transparent, as Teams requires).
func icon(size int, c color.RGBA) []byte {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	r := float64(size) / 2
	for y := range size {
		for x := range size {
			dx, dy := float64(x)-r+0.5, float64(y)-r+0.5
			if dx*dx+dy*dy <= (r-1)*(r-1) {
				img.Set(x, y, c)
			}
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// Check asks for a token with the app's credentials and reads the Bot
// Framework's keys: both must work for the door to receive and answer.
func (a *Adapter) Check(ctx context.Context) error {
	if _, err := a.c.accessToken(ctx); err != nil {
		return err
	}
	_, err := a.v.fetch(ctx)
	return err
}
