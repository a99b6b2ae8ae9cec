package meeting

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	ical "github.com/emersion/go-ical"
)

// iTIP methods (RFC 5546).
const (
	MethodRequest = "REQUEST"
	MethodCancel  = "CANCEL"
	MethodReply   = "REPLY"
)

// ProdID names salesdesk as the calendar's producer.
const ProdID = "-//salesdesk//meetings//EN"

// Person is an organizer or attendee of an invite.
type Person struct {
	Email    string
	Name     string
	Partstat string // NEEDS-ACTION, ACCEPTED, DECLINED, TENTATIVE
	// Customer marks an outside participant (ROLE REQ-PARTICIPANT;
	// CUTYPE INDIVIDUAL).
	Customer bool
	// Chair marks the rep who leads the meeting (ROLE=CHAIR) when the
	// ORGANIZER is the sales inbox.
	Chair bool
}

// Invite is one iTIP message about one meeting: a REQUEST (new or moved),
// a CANCEL or a REPLY. Times are written in UTC, which every calendar
// client renders in its reader's own zone.
type Invite struct {
	Method      string
	UID         string
	Sequence    int
	Start, End  time.Time
	Stamp       time.Time // DTSTAMP: when this message was made
	Summary     string
	Description string
	Location    string
	URL         string // the meeting's video link or page
	Organizer   Person
	Attendees   []Person
}

// Encode writes the invite as an iCalendar object (RFC 5545) with go-ical.
func (inv Invite) Encode() ([]byte, error) {
	switch inv.Method {
	case MethodRequest, MethodCancel, MethodReply:
	default:
		return nil, fmt.Errorf("meeting: invite method %q", inv.Method)
	}
	if inv.UID == "" || inv.Start.IsZero() || !inv.End.After(inv.Start) || inv.Organizer.Email == "" {
		return nil, errors.New("meeting: invite needs a uid, a start before its end and an organizer")
	}
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, ProdID)
	cal.Props.SetText(ical.PropMethod, inv.Method)
	cal.Props.SetText(ical.PropCalendarScale, "GREGORIAN")

	ev := ical.NewEvent()
	ev.Props.SetText(ical.PropUID, inv.UID)
	ev.Props.SetDateTime(ical.PropDateTimeStamp, inv.Stamp.UTC())
	ev.Props.SetDateTime(ical.PropDateTimeStart, inv.Start.UTC())
	ev.Props.SetDateTime(ical.PropDateTimeEnd, inv.End.UTC())
	seq := ical.NewProp(ical.PropSequence)
	seq.Value = fmt.Sprint(inv.Sequence)
	seq.SetValueType(ical.ValueInt)
	ev.Props.Set(seq)
	ev.Props.SetText(ical.PropSummary, oneLine(inv.Summary))
	if inv.Description != "" {
		ev.Props.SetText(ical.PropDescription, inv.Description)
	}
	if inv.Location != "" {
		ev.Props.SetText(ical.PropLocation, oneLine(inv.Location))
	}
	if u, err := url.Parse(inv.URL); err == nil && inv.URL != "" && (u.Scheme == "https" || u.Scheme == "http") {
		ev.Props.SetURI(ical.PropURL, u)
	}
	switch inv.Method {
	case MethodCancel:
		ev.SetStatus(ical.EventCancelled)
	default:
		ev.SetStatus(ical.EventConfirmed)
	}
	ev.Props.SetText(ical.PropTransparency, "OPAQUE")
	ev.Props.Set(personProp(ical.PropOrganizer, inv.Organizer, false))
	for _, a := range inv.Attendees {
		ev.Props.Add(personProp(ical.PropAttendee, a, inv.Method == MethodRequest))
	}
	cal.Children = append(cal.Children, ev.Component)

	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		return nil, fmt.Errorf("meeting: encode invite: %w", err)
	}
	return buf.Bytes(), nil
}

func personProp(name string, p Person, rsvp bool) *ical.Prop {
	prop := ical.NewProp(name)
	prop.SetValueType(ical.ValueCalendarAddress)
	prop.Value = "mailto:" + strings.ToLower(p.Email)
	if n := oneLine(p.Name); n != "" {
		prop.Params.Set(ical.ParamCommonName, n)
	}
	if name == ical.PropAttendee {
		prop.Params.Set(ical.ParamCalendarUserType, "INDIVIDUAL")
		role := "REQ-PARTICIPANT"
		if p.Chair {
			role = "CHAIR"
		}
		prop.Params.Set(ical.ParamRole, role)
		ps := p.Partstat
		if ps == "" {
			ps = "NEEDS-ACTION"
		}
		prop.Params.Set(ical.ParamParticipationStatus, ps)
		if rsvp {
			prop.Params.Set(ical.ParamRSVP, "TRUE")
		}
	}
	return prop
}

// oneLine keeps a text property on one line: names and titles come from
// mail.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// ParseInvite reads an iTIP message made by Encode or by a calendar
// client: its method and first event. Attendees carry their PARTSTAT.
func ParseInvite(b []byte) (*Invite, error) {
	cal, err := decodeCalendar(b)
	if err != nil {
		return nil, fmt.Errorf("meeting: parse calendar: %w", err)
	}
	inv := &Invite{}
	inv.Method, _ = cal.Props.Text(ical.PropMethod)
	inv.Method = strings.ToUpper(strings.TrimSpace(inv.Method))
	events := cal.Events()
	if len(events) == 0 {
		return nil, errors.New("meeting: calendar has no event")
	}
	ev := events[0]
	inv.UID, _ = ev.Props.Text(ical.PropUID)
	if p := ev.Props.Get(ical.PropSequence); p != nil {
		inv.Sequence, _ = p.Int()
	}
	inv.Start, _ = ev.DateTimeStart(time.UTC)
	inv.End, _ = ev.DateTimeEnd(time.UTC)
	inv.Stamp, _ = ev.Props.DateTime(ical.PropDateTimeStamp, time.UTC)
	inv.Summary, _ = ev.Props.Text(ical.PropSummary)
	inv.Description, _ = ev.Props.Text(ical.PropDescription)
	inv.Location, _ = ev.Props.Text(ical.PropLocation)
	if u, err := ev.Props.URI(ical.PropURL); err == nil && u != nil {
		inv.URL = u.String()
	}
	if p := ev.Props.Get(ical.PropOrganizer); p != nil {
		inv.Organizer = readPerson(p)
	}
	for _, p := range ev.Props.Values(ical.PropAttendee) {
		inv.Attendees = append(inv.Attendees, readPerson(&p))
	}
	if inv.UID == "" {
		return nil, errors.New("meeting: event has no UID")
	}
	return inv, nil
}

// decodeCalendar decodes an iCalendar object. go-ical's decoder panics on
// some malformed parameter lines (found by FuzzFindReply); calendar parts
// come from outside, so a panic is turned into an error.
func decodeCalendar(b []byte) (cal *ical.Calendar, err error) {
	defer func() {
		if r := recover(); r != nil {
			cal, err = nil, fmt.Errorf("malformed calendar: %v", r)
		}
	}()
	return ical.NewDecoder(bytes.NewReader(b)).Decode()
}

func readPerson(p *ical.Prop) Person {
	addr := p.Value
	if len(addr) >= 7 && strings.EqualFold(addr[:7], "mailto:") {
		addr = addr[7:]
	}
	return Person{
		Email:    strings.ToLower(strings.TrimSpace(addr)),
		Name:     p.Params.Get(ical.ParamCommonName),
		Partstat: strings.ToUpper(p.Params.Get(ical.ParamParticipationStatus)),
		Chair:    strings.EqualFold(p.Params.Get(ical.ParamRole), "CHAIR"),
	}
}
