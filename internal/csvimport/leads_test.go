package csvimport_test

import (
	"context"
	"testing"

	"salesdesk/internal/csvimport"
	"salesdesk/internal/store"
)

const leadsCSV = "Lead ID,Contact Email,Contact Name,Company Name,Website,Country,Subject,Customer\n" +
	"W-1,Ann@Acme.example,Ann Smith,Acme GmbH,https://www.acme.example/,de,Quote for 50 widgets,C-1\n" +
	"W-2,new@prospect.example,,Prospect Ltd,,GB,Demo request,\n"

func TestImportLeads(t *testing.T) {
	dialects(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		mustImport(t, st, csvimport.Customers(), customersCSV)
		k := csvimport.Leads()
		rep := mustImport(t, st, k, leadsCSV)
		if rep.Created != 2 || !rep.Committed || len(k.Created()) != 2 {
			t.Fatalf("report %+v created %v", rep, k.Created())
		}
		l, err := st.Lead(ctx, k.Created()[0])
		if err != nil {
			t.Fatal(err)
		}
		if l.ExternalID != "W-1" || l.ContactEmail != "ann@acme.example" || l.Domain != "acme.example" || l.Country != "DE" ||
			l.Status != store.LeadUnassigned || l.CustomerID == 0 || l.Source != "import" || l.Summary != "Quote for 50 widgets" {
			t.Errorf("lead %+v", l)
		}
		evs, err := st.LeadEvents(ctx, l.ID)
		if err != nil || len(evs) != 1 || evs[0].Kind != store.LeadEventCreated {
			t.Errorf("events %+v, %v", evs, err)
		}
		// Importing the file again creates nothing.
		k2 := csvimport.Leads()
		rep = mustImport(t, st, k2, leadsCSV)
		if rep.Created != 0 || rep.Unchanged != 2 || len(k2.Created()) != 0 {
			t.Errorf("second import %+v", rep)
		}
	})
}

func TestImportLeadsBadRows(t *testing.T) {
	dialects(t, func(t *testing.T, st *store.Store) {
		bad := "id,email,country,customer\n" +
			"X-1,not-an-address,DE,\n" +
			"X-2,ok@x.example,Germany,\n" +
			"X-3,ok@y.example,FR,NO-SUCH-ACCOUNT\n" +
			",ok@z.example,,\n" +
			"X-5,fine@w.example,,\n"
		k := csvimport.Leads()
		rep, err := run(t, st, k, bad, false)
		if err == nil || rep.Committed || len(rep.Bad) != 4 {
			t.Fatalf("all-or-nothing: err %v, report %+v", err, rep)
		}
		k = csvimport.Leads()
		rep, err = run(t, st, k, bad, true)
		if err != nil || !rep.Committed || rep.Created != 1 || len(rep.Bad) != 4 || len(k.Created()) != 1 {
			t.Fatalf("skip bad: err %v, report %+v", err, rep)
		}
	})
}
