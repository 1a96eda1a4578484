package mattermost

import (
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
)

func TestCommandResponse(t *testing.T) {
	att := []*model.MessageAttachment{{Title: "IT-2026-000001"}}
	p1 := &model.Post{Message: "pirmā"}
	p2 := &model.Post{Message: ""}
	p2.AddProp(model.PostPropsAttachments, att)
	cr := commandResponse([]*model.Post{p1, p2}, true, "darbs")
	if cr.Text != "pirmā" || len(cr.ExtraResponses) != 1 || cr.ExtraResponses[0].Attachments[0].Title != "IT-2026-000001" {
		t.Errorf("two answers: %+v", cr)
	}
	if cr := commandResponse(nil, false, "darbs"); cr.Text != "darbs" || cr.ResponseType != model.CommandResponseTypeEphemeral {
		t.Errorf("nothing yet: %+v", cr)
	}
	if cr := commandResponse(nil, true, "darbs"); cr.Text != "" {
		t.Errorf("finished without answers: %+v", cr)
	}
}
