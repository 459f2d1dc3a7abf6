package billing_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82/webhook"

	"dateline/internal/billing"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

// FuzzWebhookPayload sends correctly signed events with any body: whatever
// Stripe (or an attacker with the secret) sends, the handler answers with
// success or ErrBadWebhook, and never panics.
func FuzzWebhookPayload(f *testing.F) {
	for _, seed := range []string{
		`{"id":"evt_1","object":"event","type":"customer.subscription.updated","created":1,"data":{"object":{"id":"sub_1","status":"active","metadata":{"user_id":"1"}}}}`,
		`{"id":"evt_2","object":"event","type":"checkout.session.completed","created":2,"data":{"object":{"id":"cs_1","client_reference_id":"1","subscription":"sub_1"}}}`,
		`{"id":"evt_3","object":"event","type":"invoice.payment_failed","created":3,"data":{"object":{"subscription":"sub_1"}}}`,
		`{"id":"evt_4","object":"event","type":"customer.subscription.deleted","created":4,"data":{"object":{"id":"sub_1","items":{"data":[{"current_period_end":99}]}}}}`,
		`{"id":"evt_5","object":"event","type":"unknown.type","data":{"object":{}}}`,
		`{}`, `[]`, `null`, `{"id":""}`,
	} {
		f.Add([]byte(seed))
	}
	db := storetest.Open(f, store.SQLite)
	svc := billing.New(billing.Options{Store: db, Provider: billing.DemoProvider{}, BaseURL: "https://news.example", Now: db.Now})
	const secret = "whsec_fuzz"
	hook := billing.NewWebhook(svc, secret)
	f.Fuzz(func(t *testing.T, payload []byte) {
		signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: time.Now()})
		err := hook.Handle(t.Context(), payload, signed.Header)
		if err != nil && !errors.Is(err, billing.ErrBadWebhook) {
			t.Fatalf("Handle(%q) = %v, want nil or ErrBadWebhook", payload, err)
		}
	})
}
