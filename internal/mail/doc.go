// Package mail writes and delivers Dateline's email.
//
// Email goes out in three steps, so that a restart or an outage of the mail
// server loses nothing:
//
//  1. A Composer renders one of the site's emails (a Kind) from the
//     templates embedded in the binary into a Message: subject, a plain-text
//     part and an HTML part, with a fresh Message-ID.
//  2. The caller keeps the Message in the outbox, a table in the database,
//     usually in the same transaction as the event that caused it (the store
//     implements that; this package does not import the store).
//  3. A Sender, running in the background, claims due messages from the
//     Outbox, hands each to a Transport (SMTP, or Log, the development
//     mailbox), and records the outcome: sent, or failed and retried later
//     with backoff until the message is too old to be worth sending.
//
// Delivery is at least once: a message whose sending succeeded but whose
// outcome could not be recorded is sent again after its lease runs out.
package mail
