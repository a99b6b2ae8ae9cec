package lang

import "strings"

// functionWords are the commonest short words of each language (articles,
// pronouns, prepositions, auxiliaries) and the words every customer mail
// has (please, thanks, hello), written from general knowledge of each
// language, not from the evaluation sets. A word in two languages' lists
// votes for both.
var functionWords = map[string]map[string]bool{
	"en": set("the a an and or but of to in on at for with from by about is are was were be been being have has had do does did will would can could should shall may might must not no yes i you he she it we they me him her us them my your his its our their this that these those there here what when where why how which who whom please thanks thank hi hello dear regards cheers sorry just still yet already any some all more most very much many also if so than then as up out into over after before again why don't can't won't i'm it's we're you're isn't didn't doesn't haven't hasn't wasn't"),
	"de": set("der die das den dem des ein eine einen einem einer eines und oder aber nicht kein keine keinen ist sind war waren bin bist sein hat haben hatte hatten wird werden wurde wurden kann können könnte konnte muss müssen soll sollte will wollen möchte möchten ich du er sie es wir ihr mich mir dich dir uns euch ihnen ihr mein meine meinen meinem unser unsere unseren ihre ihren mit von zu zum zur bei für auf aus nach über unter vor an am im in ins um durch gegen ohne bis seit wie was wer wo wann warum wieso welche welcher noch schon auch nur sehr bitte danke dank hallo guten tag grüße freundlichen herr frau sie ja nein nicht doch mal jetzt heute morgen gestern dass weil wenn ob damit denn also leider gern gerne"),
	"fr": set("le la les l' un une des du de d' au aux et ou mais ne pas plus ni est sont était étaient suis es sommes êtes être ai as a avons avez ont avait fait faire peut peux pouvez pouvons pourriez veux voulons voudrais je tu il elle on nous vous ils elles me te se moi toi lui leur leurs mon ma mes ton ta tes son sa ses notre nos votre vos ce cet cette ces qui que quoi quand où comment pourquoi quel quelle quels quelles avec pour par sur sous dans chez sans depuis entre vers merci bonjour bonsoir madame monsieur cordialement salutations svp s'il plaît oui non très déjà encore toujours aussi bien est-ce c'est n'est qu'il j'ai je n'ai"),
	"es": set("el la los las un una unos unas y o pero no ni es son era eran soy somos está están estoy estamos ser estar he ha han hemos había hay tengo tiene tenemos tienen puede pueden podemos podría quiero queremos quisiera yo tú él ella usted ustedes nosotros nosotras ellos ellas me te se le les nos lo mi mis tu tus su sus nuestro nuestra nuestros nuestras del al de en con por para sin sobre entre desde hasta hacia que qué quien quién cuando cuándo donde dónde cómo como por qué cual cuál muy más ya todavía también gracias hola buenos buenas días tardes saludos estimado estimados estimada señor señora favor sí pero porque aunque este esta estos estas ese esa eso"),
	"it": set("il lo la i gli le un uno una e o ma non né è sono era erano siamo siete essere ho hai ha abbiamo avete hanno avevo aveva fare fatto può possiamo potete potreste vorrei vogliamo io tu lui lei noi voi loro mi ti si ci vi gli ne mio mia miei mie tuo tua suo sua nostro nostra nostri nostre vostro vostra vostri vostre del della dello dei degli delle al alla allo ai agli alle dal dalla nel nella nei nelle sul sulla con per tra fra di da in su che chi cosa quando dove come perché quale molto più già ancora anche grazie ciao buongiorno buonasera salve gentile gentili spettabile cordiali saluti distinti sì questo questa questi queste quello quella c'è dell' all' l' un' anch'io"),
	"nl": set("de het een en of maar niet geen is zijn was waren ben bent heb hebt heeft hebben had hadden wordt worden werd kan kunt kunnen kon zou zouden moet moeten wil willen wilt ik jij je u hij zij ze wij we jullie mij me mijn mijn jouw uw zijn haar ons onze hun hen dit dat deze die daar hier wat wie waar wanneer waarom hoe welke met van voor naar op in aan bij uit over onder door tot sinds tegen zonder om er al nog ook wel toch even graag alstublieft aub bedankt dank dankje hallo hoi goedemorgen goedemiddag goedendag beste geachte groet groeten vriendelijke heer mevrouw ja nee niet meer heel erg omdat als dan"),
	"pt": set("o a os as um uma uns umas e ou mas não nem é são era eram sou somos está estão estou estamos ser estar tenho tem temos têm tinha há pode podem podemos poderia quero queremos queria eu tu ele ela você vocês nós eles elas me te se lhe lhes nos meu minha meus minhas teu tua seu sua seus suas nosso nossa nossos nossas vosso vossa vossos vossas do da dos das no na nos nas ao aos à às pelo pela pelos pelas de em com por para sem sobre entre desde até que quê quem quando onde como porque porquê qual muito mais já ainda também obrigado obrigada olá bom boa dia tarde cumprimentos exmos exmo caro cara senhor senhora favor sim isto isso este esta estes estas esse essa"),
}

func set(words string) map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}
