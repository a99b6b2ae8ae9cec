package demo

// The text banks the simulator writes from. Placeholders in braces are
// filled per mail: {name} {company} {order} {product} {sku} {qty} {qty2}
// {weekday} {time} {date} {invoice} {ticket}.

var greetings = []string{"Hello,", "Hi,", "Good morning,", "Dear sales team,", "Hi there,", "Dear Sir or Madam,", "Hello team,", "Good afternoon,"}

var closings = []string{"Thanks,", "Best regards,", "Kind regards,", "Many thanks,", "Cheers,", "Regards,", "Thank you,"}

var orderStatusSubjects = []string{
	"Status of order {order}",
	"Where is {order}?",
	"{order} - delivery date?",
	"Order {order} tracking",
	"Question about our order {order}",
	"When will {order} arrive?",
}

var orderStatusBodies = []string{
	"Could you tell me the current status of order {order}? We have not received a shipping confirmation yet.",
	"We are still waiting for {order}. Has it shipped, and is there a tracking number?",
	"Our site manager is asking about {order}. When can we expect delivery?",
	"Can you please check where order {order} is? It was promised for this week.",
	"Just checking in on {order}: is it on schedule? We plan the installation around it.",
	"Please send me the tracking link for {order}, I can't find the dispatch note.",
}

type bank struct{ subjects, bodies []string }

var inquiryBanks = map[string]bank{
	KindOrderChange: {
		subjects: []string{"Change to order {order}", "Amend {order}: quantities", "Order {order} - change delivery address", "Please update {order}"},
		bodies: []string{
			"Please change the quantity of {sku} ({product}) on {order} from {qty} to {qty2}.",
			"We need to change the delivery address for {order} to our new warehouse: Industriestrasse 12, Hall 3. Please confirm.",
			"Could you remove the {product} line from {order}? We ordered it twice by mistake.",
			"Please add {qty} x {product} ({sku}) to order {order} if it has not shipped yet.",
		},
	},
	KindRushOrder: {
		subjects: []string{"URGENT: {order} needed by {weekday}", "Rush order: {qty} x {product}", "Expedite {order} please - urgent", "ASAP: {product} for a site shutdown"},
		bodies: []string{
			"This is urgent: our line is down and we need {qty} x {product} ({sku}) by {weekday}. Can you expedite shipping? We'll pay for express.",
			"Please rush order {order}. Our customer moved the deadline and we need everything by {date} at the latest.",
			"We have an emergency shutdown and need {qty} units of {product} as soon as possible, ideally overnight. Please call me.",
		},
	},
	KindQuoteRequest: {
		subjects: []string{"Request for quote: {qty} x {product}", "RFQ - {product}", "Pricing for {product}", "Quotation request from {company}", "Price and lead time for {sku}"},
		bodies: []string{
			"We are interested in {qty} units of {product} ({sku}). Could you send us a quotation with your best price and lead time?",
			"{company} is planning a new project and we need pricing for {qty} x {product} and {qty2} x spare parts. Delivery would be to our main plant, starting {date}.",
			"Please quote {qty} pcs of {sku}. Do you offer volume discounts above {qty2} pcs?",
			"I found {product} on your website. What would {qty} of them cost, delivered, and how soon could you ship?",
			"We are comparing suppliers for our annual contract. Please send a quote for {product} in quantities of {qty} and {qty2}.",
		},
	},
	KindMeeting: {
		subjects: []string{"Meeting request: {product} range", "Can we schedule a call?", "Visit next {weekday}?", "Call about our annual volumes"},
		bodies: []string{
			"Could we schedule a call next {weekday} at {time} to talk about our requirements for {product}?",
			"I'd like to meet your account manager to discuss our volumes for next year. Would {weekday} at {time} work?",
			"Are you available for a 30-minute video call on {date}? We would like a demo of {product}.",
			"Our purchasing team will be in town on {date}. Could we drop by your office around {time}?",
		},
	},
	KindSupport: {
		subjects: []string{"Problem with {product}", "{product} stopped working", "Need help installing {sku}", "Defective {product}?"},
		bodies: []string{
			"One of the {product} units we received stopped working after two days. What should we do?",
			"We need help with the installation of {product} ({sku}). The manual does not cover our setup.",
			"The {product} from {order} makes a strange noise under load. Is this normal? Photo attached if it came through.",
			"Can you send the data sheet and the declaration of conformity for {sku}?",
		},
	},
	KindBilling: {
		subjects: []string{"Invoice {invoice} question", "Wrong amount on invoice {invoice}", "Payment reminder - already paid", "Credit note for {order}?"},
		bodies: []string{
			"Invoice {invoice} shows {qty} units but we only received {qty2}. Please send a corrected invoice.",
			"We received a payment reminder for {invoice}, but we paid it on {date}. Can you check?",
			"Could you send us a copy of invoice {invoice}? Our accounts payable system lost the PDF.",
			"We were charged twice for order {order}. Please issue a credit note.",
		},
	},
	KindAccount: {
		subjects: []string{"Update our billing address", "New contact person at {company}", "Please update our VAT number", "Add a user to our account"},
		bodies: []string{
			"Please update our billing address to: {company}, Accounts Payable, PO Box {ticket}.",
			"{name} is leaving us; from now on please send order confirmations to our purchasing team.",
			"Our VAT number has changed. Please update your records and use the new number on future invoices.",
			"Could you add our new buyer to our customer account so she can see our orders?",
		},
	},
	KindComplaint: {
		subjects: []string{"Complaint: damaged goods on {order}", "Very disappointed", "Unacceptable delay on {order}", "Third time this happens"},
		bodies: []string{
			"The delivery for {order} arrived damaged: {qty} of the {product} boxes were crushed. This is not acceptable.",
			"This is the third late delivery this quarter. {order} was promised for last week and nobody has told us anything. I am very unhappy with the service.",
			"I have been waiting for an answer for a week. If this is not resolved we will have to look for another supplier.",
			"The wrong items were delivered for {order} and our crew lost a day. I want to speak to a manager.",
		},
	},
	KindUnsubscribe: {
		subjects: []string{"Unsubscribe", "Please remove me from your list", "Stop emails", "unsubscribe me"},
		bodies: []string{
			"Please unsubscribe me from your mailing list.",
			"Stop sending me emails. Remove my address from all your lists.",
			"I no longer work in purchasing. Please unsubscribe this address.",
		},
	},
}

var replyBodies = []string{
	"Thanks for the quick answer, that helps. One more question: can you also ship {qty} x {product} with it?",
	"Thank you. Could you confirm this in writing with the expected delivery date?",
	"That's not what I was told on the phone. Can someone call me back today?",
	"Great, thanks! Please go ahead.",
	"Thanks {name} here again - we also need the invoice for this. Can you send it?",
	"Understood. Please keep me posted on any changes.",
}
