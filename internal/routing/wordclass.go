package routing

import (
	"bytes"
	"slices"
	"strings"
	"sync"
)

// Word classes are features that carry across wording and across
// languages: every word that names the same thing in a customer mail
// ("invoice", "Rechnung", "facture", "factura", "fattura", "factuur",
// "fatura") also yields one shared class feature, so what the model learns
// from a mail in one language or phrasing helps with the others, and the
// order of classes ("cancel … order", "price … units") is a feature too.
// The lexicon is written by hand per language; nothing is translated at
// run time.
//
// An entry ending in "*" matches every word that starts with it (German
// and Dutch compounds, inflections); other entries match whole words.
var wordClassLexicon = map[string]string{
	"order":    "order* orders ordered ordering bestell* auftrag* auftr* commande* commandé* pedido* pedid* encomend* ordine* ordina* ordinat* ordinazion* purchase po",
	"ship":     "ship* dispatch* deliver* deliveries liefer* versand* versend* verschick* zugestellt zustell* livr* expédi* expedi* envío envio enviado* entreg* consegn* spedi* spediz* lever* bezorg* verzend* verzond* verstuur* verstuurd despach* reparto* courier carrier transporteur* transportista transportadora corriere vervoerder spediteur paket* colis paquete pacco pakket pacote parcel package consignment sendung* zending*",
	"track":    "track* tracking sendungsverfolg* suivi seguimiento rastreio rastreamento tracciam* tracking-code trackingcode",
	"where":    "where wo wann wanneer waar où quand dónde donde cuándo cuando dove quando onde cadê eta",
	"arrive":   "arriv* ankomm* ankam angekommen kommt komt lleg* cheg* aankom* aangekomen received erhalten reçu recibido ricevut* ontvangen recebid* bekommen",
	"cancel":   "cancel* storn* annul* anul* rückgängig terugdraai* undo",
	"change":   "change changes changed chang* modif* änder* abänder* wijzig* aanpass* cambi* alter* mudar mude mudem troc* ajust* anpass* adjust* verschieb* verplaats* verschuiv* aplaz* repouss* décal* spost* adiar switch",
	"add":      "add adding hinzu* ergänz* dazu* ajout* añad* aggiung* toevoeg* acrescent* junt* extra",
	"qty":      "units unit pcs pc pieces stück stk stuks pièces unités unidades pezzi unità paletten palette pallets pallet palettes palés palets paletes kartons karton cartons carton cartoni cajas caja caixas caixa dozen doos boxes box cases kg tonnes tons m² m2 rollen rolls rouleaux rollos rotoli rollen rolos eimer seaux cubos secchi emmers baldes tubs",
	"price":    "price* pric* quote quotes quotation* angebot* preis* kost* kosten devis prix tarif* presupuest* precio* cotiz* cuest* costar* cost* preventiv* prezz* offert* offre* orçament* preço* preco* custa* custo* custar* cotaç* prijs* prijz* aanbied* rabatt* remise* descuent* sconto* sconti* korting* staffelkorting desconto* discount* konditionen conditions condiciones condizioni voorwaarden condições how-much wieviel combien cuánto cuanto quanto hoeveel",
	"sample":   "sample* muster* échantillon* muestra* campion* staal stalen amostra*",
	"stock":    "stock lager vorrat* vorrätig* disponib* magazzino voorraad estoque available",
	"meet":     "meet* meeting* termin* treff* besuch* rendez-vous rendez réunion* reunion* reunión* cita citas visit* visite* riunion* appuntament* incontr* afspraak* afsprak* vergader* bezoek* reuni* encontr* demo* démonstr* demonstr* vorführ* präsentat* présentat* presentat* presentac* presentaz* apresenta* call calls anruf* telefonat* appel llamad* chiamat* chamada* videocall videoanruf* videollamad* videochiamat* videogesprek* videochamad* gespräch* gesprek* rencontr* walkthrough slot créneau hueco vorbeikommen vorbeikomm* vorbeischau* passer passez passare pasar pasarse passar langskomen langskom*",
	"day":      "monday tuesday wednesday thursday friday montag* dienstag* mittwoch* donnerstag* freitag* lundi mardi mercredi jeudi vendredi lunes martes miércoles jueves viernes lunedì martedì mercoledì giovedì venerdì maandag* dinsdag* woensdag* donderdag* vrijdag* segunda* terça* quarta* quinta* sexta* tomorrow morgen demain mañana domani amanhã",
	"month":    "january february march april june july august september october november december januar februar märz juni juli oktober dezember janvier février mars avril mai juin juillet août septembre octobre novembre décembre enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre januari februari maart mei augustus janeiro fevereiro março maio junho julho setembro outubro dezembro",
	"fault":    "error* fehler* erreur* errore* fout* erro defekt* defect* défect* kaputt broken cass* avaria* avariad* guast* beschadigd* panne crash* abstürz* stürzt plante plant cierra chiude crasht fecha leak* tropf* fuit* gotea* perde lekt pinga* lekkage noise geräusch* bruit* ruido* rumore* geluid* barulho* schwarz noir negra nero zwart preto",
	"help":     "help* hilfe helfen aide aider ayuda* aiut* assist* ajuda* support manual* handbuch* anleitung* manuel* notice istruzion* handleiding* instrucc* instruç* install* einricht* configur* instell* kalibrier* calibr* kalibr* firmware update* aktualisier* actualiz* aggiorn* atualiz* mise-à-jour",
	"invoice":  "invoice* rechnung* factur* fattur* factuur* fatura* bill billed billing",
	"pay":      "pay paid paying payment* zahl* bezahl* paie* payé* paiement* pago pagar pagamos pagado pagato pagamento* pagámos pagou pagar betal* lastschrift* prélèv* débit* incasso* abbuch* abgebucht* addebit* cobr* rate raten instalments instalment plazos rateizz* termijnen prestações",
	"refund":   "refund* erstatt* rückerstatt* gutschrift* rembours* reembols* rimbors* terugbetal* terugstort* creditnota* avoir abono credit* crédit* crédito* credito*",
	"tax":      "vat mwst ust ust-idnr tva iva btw tax* steuer* nif cif partita",
	"charge":   "charge charged charges berechn* cobrad* cobrar* cobraram* addebitat* afgeschreven facturé facturado",
	"account":  "account* konto* kundenkonto* compte* cuenta* conta kundenportal portal portail espace login log einlog* anmelden connect* connexion accès acceso accesso acesso inlog* inloggen zugang* entrar password* passwort* kennwort* contraseña* senha* palavra-passe wachtwoord* reset* zurücksetz* réinitialis* restablec* reimpost* redefin* user* benutzer* utilisateur* usuario* utente* gebruiker* utilizador*",
	"address":  "address* adress* anschrift* adresse* dirección* direccion* indirizz* adres* morada* endereço* rechnungsanschrift",
	"company":  "firma* firmen* company société* empresa* azienda* bedrijf* raison ragione denominação name namen nom nombre nome naam",
	"anger":    "complain* complaint* beschwer* reklamation* réclamation* reclamación* reclamo* reclamação* klacht* unacceptable inakzeptabel inacceptable inaceptable inaccettabile onacceptabel inaceitável inadmissible inadmissível inadmissibile disappoint* enttäusch* déçu* déçue decepcion* delus* teleurgest* desilud* angry sauer wütend énervé enfadad* arrabbiat* boos chatead* furious ridiculous lächerlich belachelijk ridicule ridículo ridicolo joke witz blague broma scherzo piada disaster katastrophe catastrophe desastre disastro ramp unverschämt* schandalig* vergognos* inadmissible* fed-up hartos fartos stufi zat assez reicht unfreundlich* unhöflich* rude impoli* désagréable* desagradable* maleducad* grosero* scortes* maleducat* onbeleefd* onvriendelijk* malcriad* mal-educad* unfriendly",
	"again":    "again wieder wiederholt* erneut encore otra vez nuovo weer alweer outra third dritte* troisième tercera terza derde terceira second zweite* deuxième segunda seconda tweede",
	"escalate": "manager supervisor vorgesetzt* chef responsable responsabile leidinggevend* compensation entschädig* dédommag* compensación risarciment* vergoeding* indemniza* wechseln changer elsewhere woanders ailleurs otro altrove ergens noutro",
	"unsub":    "unsubscrib* newsletter* mailing* mailinglist* abmeld* austrag* abbestell* désabonn* désinscri* desinscri* baja suscrip* disiscri* afmeld* uitschrijv* uitschrijf* descadastr* subscri* subscription opt-out opt optout werbung* werbemail* reklame publicité* pub publicidad* pubblicità* reclame* publicidade* marketing* promo* promotional verteiler* rundmail* massamail* liste lista list lijst verzendlijst spam",
	"stop":     "stop stoppen aufhören hören arrêt* arrêtez dejen basta smettete parem chega nicht keine kein plus más più niet geen mais never nie jamais nunca mai nooit nunca",
	"job":      "job* bewerb* candidat* candidatur* sollicit* curriculum lebenslauf cv vacancy stelle poste puesto posizione vacature vaga apprentice* azubi auszubildend* apprenti* aprendi* stagiair* estagiári* praktikum",
	"thanks":   "thanks thank danke dank bedankt merci gracias grazie obrigad* obrigada great toll super fantastic geweldig top genial fantastico excelente",
	"press":    "journalist* press presse prensa stampa pers imprensa interview* entrevista* intervista*",
	"open":     "open opened offen geöffnet* ouvert* ouverte* abierto* abiertos aperto aperti geopend aberto* abertos opening öffnungszeit* horaires horario* orari* openingstijd* horário* closed geschlossen fermé fermés cerrado* chiuso chiusi gesloten fechado*",
	"holiday":  "christmas weihnacht* noël navidad natale kerst* natal ostern easter pâques pasqua pasen páscoa feiertag* holidays fêtes fiestas feste feestdag* festas jubiläum anniversary anniversaire aniversario anniversario jubileum aniversário pfingst* pentecôte pentecote pentecostés pentecostes ferragosto feriado* pinkster* pentecoste ostermontag",
	"wrong":    "sorry wrong falsch* mauvais* equivocad* sbagliat* verkeerd* errad* ignore ignorier* ignorer ignoren ignorate negeer* ignorem",
	"vendor":   "agency agentur* agence agencia agenzia bureau agência offer anbieten proposer ofrecer proporvi aanbieden oferecer seo logistics logistik* logistique logística logistica logistiek* catalogue katalog* catálogo catalogo catalogus",
	"money":    "$ eur euro euros usd dollar dollars gbp pound pounds chf",
	"urgent":   "urgent* dringend* eilig* urgente* spoed* asap express expresso expres",
	"damage":   "damag* beschädig* endommag* abîm* dañad* danneggiat* beschadig* danificad*",
	"return":   "return* rücksend* zurückschick* zurücksend* retour* renvoy* devol* restitu* rendere resa terugstur* retourn*",
}

// wordClassIndex is the compiled lexicon: class ids by whole word and by
// prefix, and which prefix lengths occur, so a word costs one lookup per
// such length.
type wordClassIndex struct {
	exact   map[string]uint8
	prefix  map[string]uint8
	lengths []int // prefix lengths in bytes, longest first
	names   []string
}

var wordClasses = sync.OnceValue(func() *wordClassIndex {
	ix := &wordClassIndex{exact: map[string]uint8{}, prefix: map[string]uint8{}}
	names := make([]string, 0, len(wordClassLexicon))
	for name := range wordClassLexicon {
		names = append(names, name)
	}
	// Sorted so class ids, and so the hashed features, are stable.
	slices.Sort(names)
	seen := map[int]bool{}
	for id, name := range names {
		ix.names = append(ix.names, name)
		for _, w := range strings.Fields(wordClassLexicon[name]) {
			if p, ok := strings.CutSuffix(w, "*"); ok {
				if _, dup := ix.prefix[p]; !dup {
					ix.prefix[p] = uint8(id + 1)
				}
				if !seen[len(p)] {
					seen[len(p)] = true
					ix.lengths = append(ix.lengths, len(p))
				}
				continue
			}
			if _, dup := ix.exact[w]; !dup {
				ix.exact[w] = uint8(id + 1)
			}
		}
	}
	slices.Sort(ix.lengths)
	slices.Reverse(ix.lengths)
	return ix
})

// class returns the word class of a lowercased word, 0 for none. A whole
// word entry wins over a prefix; a longer prefix over a shorter one.
func (ix *wordClassIndex) class(w []byte) uint8 {
	// French and Italian elide articles: l'ordine, d'erreur.
	if i := bytes.LastIndexByte(w, '\''); i >= 0 {
		w = w[i+1:]
	}
	if c, ok := ix.exact[string(w)]; ok {
		return c
	}
	for _, n := range ix.lengths {
		if n > len(w) {
			continue
		}
		if c, ok := ix.prefix[string(w[:n])]; ok {
			return c
		}
	}
	return 0
}
