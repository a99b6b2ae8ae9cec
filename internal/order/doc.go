// Package order holds the order desk's decisions, free of queues and mail
// rendering so they can be tested with plain values and a real store:
//
//   - [Resolve] decides what an order-status question gets: the status of
//     the orders it asks about, a neutral answer when the sender is not on
//     the order's account, or a request for the order number when none
//     matches. Order details go only to a contact of the order's account.
//   - [FollowupDue], [FollowupKey] and [Scan] decide which customers hear
//     from us about late or long-pending orders and status changes, once
//     per order, status and promised date.
//   - [PendingRequests] lists open change and rush requests per account
//     owner, for the daily summary.
//   - [AccountContext] gathers an account's order history and recent
//     inquiries for the rep who takes over a problem.
package order
