"""The words behind each red-flag concept, in English, Russian, Spanish and German.

Phrases are separated by "|", words by spaces; ``stem*`` matches any ending (cases, gender,
plural), ``_`` any one word. Text and phrases are folded alike (ё/е, ñ/n, ü/u/ue, ß/ss).
A concept named ``!name`` is a look-alike: where it overlaps a ``name`` hit, that hit is dropped.
"""

from __future__ import annotations

CONCEPTS: dict[str, str] = {
    # --- the chest and what it feels ---------------------------------------------------------
    "chest": (
        "chest|chests|chset|chets|cheast|sternum|breastbone|breast bone"
        "|грудь|груди|грудью|грудной клетке|грудная клетка|грудину|грудине|грудиной"
        "|pecho|torax|toracic*"
        "|brust|brustkorb|brustbein|thorax"
    ),
    # The chest as a training day, exercise or muscle group: "chest press hurts my shoulder".
    # "Crushed my chest (good pump)" never counts, as "crushed" is not a pain word; a chest
    # that hurts does count even when the writer guesses it is soreness ("грудь болит, крепатура?").
    "!chest": (
        "train chest|training chest|train my chest|trained chest|hit chest|work chest|do chest"
        "|doing chest|chest today|chest tomorrow|chest again|chest and shoulders"
        "|тренировать грудь|качать грудь|качаю грудь|тренирую грудь"
        "|entrenar pecho|entreno pecho|hacer pecho|hago pecho|brust trainieren|trainiere brust"
        "|brust machen"
        "|chest day|chest days|chest press*|chest fly*|chest flies|chest workout*|chest session*"
        "|chest exercise*|chest muscle*|chest pump|chest and tri*|chest and back|chest gain*"
        "|chest train*|chest stretch*|chest routine|chest dip*|chest supported|heavy chest"
        "|день груди|жим _ груди|жим груди|жима _ груди|жиме _ груди|грудные мышц*|грудных мышц*"
        "|на грудь|от груди"
        "|press de pecho|press _ pecho|dia de pecho|pecho y triceps|aperturas de pecho|de pecho"
        "|musculos del pecho|entreno de pecho|rutina de pecho"
        "|brust und trizeps|brust training|brust tag"
    ),
    "pain": (
        "pain|pains|painful|hurt|hurts|hurting|killing me|ache|aches|aching|achy|pressure|tight"
        "|tightness"
        "|tightening|squeezing|crushing|heaviness|feels heavy|felt heavy"
        "|heavy feeling|burning|stabbing|sharp pain|constrict*|elephant|vice|discomfort"
        "|боль|боли|болит|болят|болело|болела|болел|болью|болями|болях|болеть|болезненн*"
        "|побаливает|заболела|заболело|разболелась|давит|давило|давление|давящ*|сдавлива*"
        "|сдавил*|сжимает|сжимало|сжало|сжатие|жжет|жгет|жжение|колет|кололо|колющ*|тяжесть"
        "|стеснение|ломит|печет|ноет|щемит"
        "|dolor|dolores|duele|duelen|dolia|dolio|doliendo|presion|opresion|oprime|aprieta"
        "|apretad*|ardor|arde|pinchazo*|punzada*|punzante|peso|molestia*|aplastante"
        "|schmerz*|schmerzt|weh|eng|druck|druckt|drucken|enge|engegefuhl|stechen|sticht|brennen"
        "|brennt|beklemm*|zieht|ziehen|stiche"
    ),
    "!pain": "squeezing your|squeezing the|squeeze your|squeeze the|squeezing at the top",
    "chest_pain": (
        "chestpain|chest pain|sitting on my chest|standing on my chest|band around my chest"
        "|weight on my chest|brustschmerz*|brustdruck|brustenge|herzschmerz*|stenokard*"
        "|dolor toracico|angina"
    ),
    "spread": (
        "spread*|radiat*|shoot*|goes down|goes into|going down|going into|going up|moving to"
        "|moves to|travel*|into my|down my|up my|up to my"
        "|отдает|отдавало|отдает в|иррадиир*|переходит|уходит в|в левую|в руку|в челюсть"
        "|extiende|irradia*|baja al|baja por|corre al|corre por|se pasa al|hacia el|hasta el"
        "|strahlt*|ausstrahl*|zieht in|zieht bis|bis in|in den"
    ),
    "radiation_target": (
        "left arm|arm|arms|jaw|neck|shoulder blade|upper back|back"
        "|левую руку|левой руке|руку|челюсть|шею|спину|лопатку|под лопатку"
        "|brazo izquierdo|brazo|mandibula|cuello|espalda"
        "|linken arm|arm|kiefer|unterkiefer|hals|nacken|rucken|schulterblatt"
    ),
    "jaw_or_left_arm": (
        "left arm|jaw|левую руку|левой руке|челюсть|brazo izquierdo|mandibula|linken arm|kiefer"
        "|unterkiefer"
    ),
    "cold_sweat": (
        "cold sweat|cold sweats|clammy|drenched in sweat|холодный пот|холодным потом|в пот бросило"
        "|sudor frio|sudores frios|kalter schweiss|kaltschweissig|kalten schweiss"
    ),
    "heart_attack_now": (
        "having a heart attack|having an heart attack|am i having a heart attack"
        "|think it's a heart attack|think its a heart attack|think i'm having a heart attack"
        "|у меня инфаркт|кажется инфаркт|кажется у меня инфаркт|похоже на инфаркт"
        "|сердечный приступ у меня|у меня сердечный приступ"
        "|estoy teniendo un infarto|me esta dando un infarto|creo que tengo un infarto"
        "|creo que es un infarto|me da un infarto ahora"
        "|ich habe einen herzinfarkt|ich hab einen herzinfarkt|glaube ich habe einen herzinfarkt"
        "|ich glaube ich hab einen herzinfarkt|hab gerade einen herzinfarkt"
    ),
    # --- breathing ---------------------------------------------------------------------------
    "!at_rest": (
        "resting between|rest between|resting heart rate|resting hr|resting pulse|resting for"
        "|sitting between|sitting calf*|seated|lying leg*|lying triceps|lying down leg"
        "|отдых между|pausa entre|descanso entre|pause zwischen|ruhepuls"
    ),
    "breathless_strong": (
        "can't breathe|cant breathe|cannot breathe|cnat breathe|cnt breathe|can t breathe"
        "|can not breathe|couldn't breathe"
        "|couldnt breathe|unable to breathe|struggling to breathe|struggle to breathe"
        "|gasping for air|gasping for breath|blue lips|lips _ blue|lips are blue|lips turned blue"
        "|lips turning blue|choking for air|suffocating"
        "|не могу дышать|не могу вдохнуть|не могу нормально дышать|нечем дышать|не хватает воздуха"
        "|задыхаюсь в покое|губы синие|синие губы|посинели губы|губы посинели"
        "|no puedo respirar|casi no puedo respirar|me asfixio|me estoy ahogando|labios azules"
        "|kriege keine luft|krieg keine luft|bekomme keine luft|bekomm keine luft"
        "|kann nicht atmen|kann kaum atmen|ich ersticke|blaue lippen|lippen sind blau"
    ),
    "!breathless_strong": (
        "breathe through|breathe properly|breathe correctly|breathe with the"
        "|breathe in the|breathe during|breathe right during|breathe right when"
        "|breathe right while|дышать носом|дышать правильно|respirar por la nariz"
        "|respirar bien|respirar correctamente|durch die nase|richtig atmen"
    ),
    "breathless": (
        "short of breath|shortness of breath|out of breath|breathless*|winded|gasping"
        "|hard to breathe|difficult to breathe|trouble breathing|difficulty breathing"
        "|problems breathing|struggling for air|struggling for breath|can't catch my breath"
        "|cant catch my breath|breathing is hard|breathing hard|breathing heavy"
        "|задыха*|одышк*|трудно дышать|тяжело дышать|не могу отдышаться|не отдышаться"
        "|нехватка воздуха|воздуха не хватает"
        "|me cuesta respirar|dificultad para respirar|me falta el aire|me falta aire"
        "|falta de aire|falta el aire|me ahogo|sin aliento|no recupero el aliento"
        "|respiro mal|me quedo sin aire"
        "|atemnot|kurzatmig*|luftnot|schwer atmen|atme schwer|kaum luft|ausser atem|keine luft"
        "|schlecht luft|bekomme schlecht luft|luft weg"
    ),
    "at_rest": (
        "at rest|resting|while resting|when resting|sitting|sitting down|lying|lying down"
        "|laying down|in bed|doing nothing|for no reason|no reason|won't go away|wont go away"
        "|doesn't go away|doesnt go away|not going away|all the time|all day|at night"
        "|woke me up|wakes me up|flight of stairs|few steps|couple of steps|walking slowly"
        "|just walking|slow walk|out of nowhere|suddenly|sudden|talking|tying my shoes"
        "|getting dressed|on the couch|watching tv|even when|even while|even at|even after"
        "|even walking|even sitting"
        "|в покое|сидя|лежа|лежу|сижу|без нагрузки|без причины|просто так|ночью|не проходит"
        "|даже сидя|даже лежа|даже в покое|даже при ходьбе|даже когда|по лестнице"
        "|при ходьбе|внезапно|вдруг|пару шагов|несколько шагов|ничего не делая|в кровати"
        "|на диване|пар* шагов|нескольк* шагов|ни сидя|ни лежа"
        "|en reposo|sentad*|acostad*|tumbad*|sin hacer nada|sin motivo|sin razon"
        "|no se me pasa|no se pasa|no se quita|no se me quita|por la noche|de repente"
        "|subiendo escaleras|unas escaleras|unos pasos|caminando despacio|solo caminando"
        "|hablando|ni sentado|ni sentada|ni acostado|ni acostada|ni en reposo|incluso sentado"
        "|incluso sentada|incluso caminando|en la cama"
        "|in ruhe|ruhezustand|im sitzen|im liegen|beim sitzen|beim liegen|ohne grund"
        "|ohne belastung|grundlos|geht nicht weg|hort nicht auf|nachts|plotzlich|treppe*"
        "|beim gehen|nicht weggeht|geht nicht weg|nicht aufhort|nicht besser|ein paar schritte"
        "|paar schritte|beim sprechen|beim reden|sogar beim"
        "|sogar im|im bett|auf dem sofa"
    ),
    # --- fainting ----------------------------------------------------------------------------
    "faint": (
        "faint|fainted|fainting|faints|fainty|pass out|passed out|passing out|passes out"
        "|pass _ out|passed _ out|black out|blacked out|blacking out|blackout|blackouts"
        "|lost consciousness|losing consciousness|loss of consciousness|lose consciousness"
        "|i collapsed|i just collapsed|and collapsed|then collapsed|collapsed in the"
        "|collapsed at the|collapsed during|collapsed on the floor|collapsed while"
        "|nearly collapsed|almost collapsed|he collapsed"
        "|she collapsed|syncope|everything went black|everything went dark|vision went black"
        "|vision went dark|went black|greyed out|grayed out|came to on the floor"
        "|woke up on the floor"
        "|обморок*|обморочн*|предобморок*|предобморочн*|потерял* сознание|теря* сознание"
        "|потеря сознания|потерей сознания|отключил*|вырубил*|в глазах потемнело"
        "|в глазах темнеет|потемнело в глазах|темнеет в глазах|без сознания|очнул* на полу"
        "|desmay*|pierd* el conocimiento|perder el conocimiento|perd* la conciencia"
        "|pierd* el sentido|perdi el conocimiento|perdi la conciencia|perdi el sentido"
        "|perdio el conocimiento"
        "|me desvaneci|se me nublo la vista|vi todo negro|se me fue la vista|sincope"
        "|ohnmacht*|ohnmachtig*|bewusstlos*|bewusstsein verloren|umgekippt|zusammengebrochen"
        "|zusammengeklappt|kollabiert|schwarz vor augen|weggekippt|weggetreten"
    ),
    # "faint-hearted" is not fainting, and "I passed out of the gym door" is walking out: "pass out
    # of/the" reads as leaving or handing out. "I almost passed out after that set" still counts.
    "!faint": (
        "faint hearted|faint heart|faint praise|faint smell|faint line|faint lines|faint sound"
        "|faint hope|faint idea|faint memory|faint taste|faint scar|faintest"
        "|pass out the|passed out the|pass out these|passed out those|pass out flyers"
        "|passed out flyers|pass out of|passed out of|passing out of|passes out of"
        "|passed out on the couch|passed out on the sofa|passed out on my couch"
        "|passed out on my bed|passed out in bed|passed out on the bed|pass out in bed"
        "|collapsed my|collapsed the|collapsed on the couch|collapsed on the sofa"
        "|collapsed on my couch|collapsed on my bed"
        "|collapsed into bed|collapsed in bed|collapsed onto the couch|collapsed onto the sofa"
        "|collapsed onto my bed|collapsed on the floor laughing"
        "|passed out drunk|blacked out drunk|black out curtains|blackout curtains"
        "|blacked out the|black out the|blackout blinds"
        "|вырубил* телефон|вырубил* свет|вырубил* спать|вырубил* на диване|вырубился в кровати"
        "|отключил* телефон|отключил* уведомления|отключил* звук|отключил* будильник"
        "|umgekippt ist|ist umgekippt|flasche _ umgekippt"
    ),
    # --- heart rhythm ------------------------------------------------------------------------
    "palpitation": (
        "palpitation*|palpitacion*|heart palpitations|herzstolpern|herzrhythmusstorung*"
        "|перебои в сердце|перебои в работе сердца|перебои сердца|экстрасистол*|аритми*"
        "|arritmia*|extrasistole*|herzrasen und schwindel"
    ),
    "heart": (
        "heart|heartbeat|heartbeats|heart beat|heart rate|pulse|hr|bpm"
        "|сердце|сердцебиение|пульс|сердечко"
        "|corazon|pulso|latido*|pulsaciones"
        "|herz|herzschlag|puls|herzfrequenz"
    ),
    "racing": (
        "racing|races|raced|pounding|pounds|hammering|going crazy|going nuts|beating fast"
        "|beating so fast|beating really fast|out of my chest|through my chest|tachycardia"
        "|колотится|колотилось|выпрыгивает|скачет|бешено|бьется как|стучит как|тахикарди*"
        "|acelerad*|a mil|desbocad*|late muy rapido|late rapido|late muy fuerte|va a mil"
        "|taquicardi*"
        "|rast|rasen|raste|pocht|hammert|herzrasen|galoppiert"
    ),
    "irregular": (
        "skipping|skips|skipped|skip a beat|skipping beats|flutter*|flip flop*|irregular*"
        "|erratic|all over the place|missing beats|extra beats|stops for a second"
        "|stopping for a second"
        "|won't slow down|wont slow down|won't come down|wont come down|doesn't come down"
        "|doesnt come down|stays at 200"
        "|замирает|замерло|пропускает|сбивается|трепещет|перебои|неровн*|нерегулярн*"
        "|не снижается|не успокаивается"
        "|se salta|salta latidos|se para|da vuelcos|da un vuelco|irregular*|no baja"
        "|stolpert|setzt aus|setzt _ aus|setzt _ _ aus|setzt _ _ _ aus|flattert|unregelmassig*"
        "|geht nicht runter"
    ),
    "racing_heart": (
        "tachycardia|heart racing|racing heart|pounding heart|heart pounding|сердцебиени*"
        "|тахикарди*|taquicardi*|corazon acelerado|pulso acelerado|herzrasen|herzklopfen"
    ),
    "dizzy": (
        "dizzy|dizziness|lightheaded|light headed|lightheadedness|woozy|room spinning"
        "|room is spinning|vertigo"
        "|голова кружится|кружится голова|головокружени*|кружится|шатает|плывет"
        "|mareo|mareos|mareado|mareada|me mareo|vertigo|todo da vueltas"
        "|schwindel*|schwindlig*|benommen|dreht sich alles"
    ),
    # --- headache and stroke -----------------------------------------------------------------
    "headache": (
        "headache|headaches|migraine|migraines|head hurts|head is pounding|head pounding"
        "|head is killing me|head exploded|head exploding|head is exploding|pain in my head"
        "|back of my head|head pain"
        "|головная боль|головной болью|головные боли|голова болит|болит голова|голова раскалывается"
        "|раскалывается голова|голова _ разболелась|голова _ болит|голова _ раскалывается"
        "|болит _ голова|разболелась голова|голова разболелась|заболела голова|мигрень"
        "|боль в голове|боль в затылке"
        "|dolor de cabeza|dolores de cabeza|me duele la cabeza|duele la cabeza|jaqueca|cefalea"
        "|migrana|la cabeza me duele|la cabeza me va a explotar|me explota la cabeza"
        "|kopfschmerz*|kopf tut weh|kopf tut _ weh|kopf platzt|kopf explodiert|schadel brummt"
        "|migrane|kopfweh"
    ),
    "!thunderclap": "worst thing|worst part|worst exercise|worst food|worst drink|worst time",
    "thunderclap": (
        "worst|sudden|suddenly|thunderclap|explosive|exploding|out of nowhere|excruciating"
        "|blinding|like being hit|like a hammer|like a bat|like lightning|never had a headache like"
        "|never had one like|never felt anything like|in my life|of my life|10 out of 10"
        "|внезапн*|резк*|сильнейш*|худш*|самая сильная|как удар|невыносим*|никогда такой"
        "|никогда такого|вдруг|взрыв*"
        "|peor|repentin*|subit*|de repente|de golpe|explosiv*|como un golpe|insoportable"
        "|nunca habia tenido|de mi vida"
        "|schlimmst*|plotzlich*|wie ein schlag|donnerschlag*|explosionsartig*|vernichtend*"
        "|unertraglich*|starkste*|noch nie so|meines lebens"
    ),
    "severe": (
        "severe|intense|terrible|horrible|massive|splitting|awful|really bad|insane|crazy"
        "|сильн*|жутк*|адск*|ужасн*|дикая|дикой"
        "|fuerte|intens*|terrible|horrible|brutal|tremendo"
        "|stark*|heftig*|krass*|schlimm*|extrem*|brutal*"
    ),
    "exertion": (
        "during|while|mid set|midset|lifting|deadlift*|squat*|bench*|straining|under the bar"
        "|at the gym|in the gym|on a set|my set|heavy set|pr attempt|max attempt|workout"
        "|training"
        "|во время|на тренировке|при жиме|присед*|станов*|на штанге|в зале|тренировк*"
        "|durante|entrenando|levantando|sentadilla*|peso muerto|press banca|en el gym"
        "|en el gimnasio|entreno|entrenamiento"
        "|beim|wahrend|kreuzheben|kniebeug*|bankdruck*|training|im gym|im studio"
    ),
    "face": (
        "face|mouth|smile|lip|lips|side of my face|half my face|eyelid"
        "|лицо|лица|рот|уголок рта|губа|губы|половина лица|половину лица|веко"
        "|cara|boca|sonrisa|labio|labios|mitad de la cara|parpado"
        "|gesicht|gesichts*|mundwinkel|mund|lippe|lippen|augenlid"
    ),
    "droop": (
        "droop*|sagging|saggy|crooked|lopsided|hanging down|fallen|numb|went numb|paralyzed"
        "|paralysed|frozen"
        "|перекос*|перекошен*|опустил*|съехал*|онемел*|немеет|обвис*|парализ*"
        "|caida|caido|torcid*|paralizad*|se cae|se me cae|se cayo|se me cayo|colgando"
        "|dormida|entumecid*|adormecid*"
        "|hangt|hangend*|schief|gelahmt|taub|eingefallen"
    ),
    "one_side": (
        "one side|left side|right side|half my body|half of my body|half my face"
        "|half of my face|half of the body|arm and leg|arm and my leg|left arm and leg"
        "|right arm and leg|one arm and|one half"
        "|одна сторона|одной сторон*|одну сторону|левая сторона|правая сторона|левой сторон*"
        "|правой сторон*|половин* тела|половин* лица|рука и нога|руку и ногу|левая рука и нога"
        "|правая рука и нога"
        "|un lado|lado izquierdo|lado derecho|mitad del cuerpo|mitad de la cara|media cara"
        "|brazo y pierna|brazo y la pierna"
        "|eine seite|einer seite|linke seite|rechte seite|linken seite|rechten seite|halbseit*"
        "|korperhalfte|gesichtshalfte|arm und bein"
    ),
    "numb_weak": (
        "numb|numbness|went numb|weak|weakness|paralyzed|paralysed|paralysis|can't move"
        "|cant move|can't feel|cant feel|dead|tingling|pins and needles|won't move|wont move"
        "|онемел*|немеет|немеют|не чувствую|слабост*|отнял*|не слушается|не двигается|парализ*"
        "|покалыва*"
        "|entumecid*|adormecid*|dormid*|durmio|se me durmio|paralizad*|debil|debilidad|no siento"
        "|hormigueo"
        "|no puedo mover|no se mueve"
        "|taub*|gelahmt*|lahmung*|schwach|schwache|kribbel*|kann _ nicht bewegen"
        "|kein gefuhl|nicht mehr bewegen"
    ),
    "!numb_weak": "weaker|schwacher|mas debil|слабее|weak side|weak point|weak spot|schwachstelle",
    "slurred": (
        "slurr*|words come out wrong|words coming out wrong|words are jumbled|can't speak properly"
        "|cant speak properly|can't talk properly|cant talk properly|can't speak clearly"
        "|can't get my words out|cant get my words out|can't get the words out|talking funny"
        "|speech is weird|speech is off|sound drunk|can't speak right"
        "|невнятн*|язык заплетается|заплетается язык|речь нарушена|не могу говорить"
        "|не могу выговорить|говорю как пьяный|путаю слова"
        "|habla arrastrada|arrastro las palabras|arrastrando las palabras|se me traba la lengua"
        "|no puedo hablar bien|no me salen las palabras|hablo raro|hablo como borracho"
        "|lalle|lallen|lallend*|verwaschen*|undeutlich*|kann nicht richtig sprechen"
        "|worter kommen falsch|kann nicht mehr sprechen"
    ),
    "vision_loss": (
        "lost my vision|lost vision|vision loss|can't see out of|cant see out of|went blind"
        "|blind in one eye|double vision|seeing double|lost sight|vision went blurry suddenly"
        "|ослеп*|не вижу одним глазом|пропало зрение|потерял* зрение|двоится в глазах"
        "|в глазах двоится|не вижу левым|не вижу правым"
        "|perdi la vista|no veo de un ojo|vision doble|veo doble|me quede ciego|me quede ciega"
        "|sehe doppelt|sehe _ doppelt|doppelbilder|auf einem auge blind|sehe nichts mehr|sehverlust"
        "|sehe plotzlich nichts"
    ),
    "stroke_now": (
        "having a stroke|am i having a stroke|think i'm having a stroke|think im having a stroke"
        "|think i had a stroke|think i have had a stroke|mini stroke|mini-stroke"
        "|у меня инсульт|кажется инсульт|кажется у меня инсульт|похоже на инсульт|микроинсульт"
        "|estoy teniendo un ictus|creo que tengo un ictus|creo que me dio un ictus"
        "|creo que es un ictus|me esta dando un derrame|creo que tengo un derrame"
        "|creo que me dio un derrame|me dio un acv"
        "|ich habe einen schlaganfall|ich hab einen schlaganfall|glaube ich habe einen schlaganfall"
        "|glaube ich hab einen schlaganfall|ich glaube schlaganfall"
    ),
    # --- urine and muscles -------------------------------------------------------------------
    "urine": (
        "urine|pee|piss|peeing|pissing|wee|urinating|urinate"
        "|моча|моч|мочя|мочи|мочу|моче|мочой|писаю|пописал*|сходил* в туалет"
        "|orina|orino|pis|pipi|meo|meado|orinar"
        "|urin|harn|pipi|pinkel*|pisse"
    ),
    "dark": (
        "dark|darker|brown|brownish|black|red|reddish|bloody|blood|rust*|like cola|like coke"
        "|like tea|like coffee|like black tea|cola colored|cola coloured|coke colored"
        "|coke coloured|tea colored|tea coloured|colour of tea|color of tea|colour of cola"
        "|color of cola|color of coke|colour of coke|coffee colored|coffee coloured"
        "|цвета колы|цвета чая|цвета кофе|цвета пива|как кола|как чай|как кофе|как пиво"
        "|темн*|коричнев*|бур*|черн*|красн*|ржав*|кровь|с кровью"
        "|oscur*|marron*|negr*|roj*|rojiz*|color coca cola|color coca|color cafe|color te"
        "|como coca cola|como cocacola|como cafe|como te|color de te|sangre|con sangre"
        "|dunkel*|dunkl*|braun*|schwarz*|rot|rote*|rotlich|wie cola|colafarben*|cola farben"
        "|wie tee|teefarben*|wie kaffee|blut*"
    ),
    "!dark": (
        "dark yellow|темно желт*|темножелт*|amarillo oscuro|dunkelgelb*|dunkel gelb|red bull"
        "|black coffee|dark chocolate|chocolate negro|темный шоколад|dunkle schokolade"
    ),
    # Beetroot, blackberries and some drugs colour urine red or dark without any harm.
    "harmless_colour": (
        "beet*|beetroot|blackberr*|rhubarb|свекл*|ревен*|remolacha*|moras|rote bete|rote beete"
        "|randen|rhabarber"
    ),
    "muscle": (
        "muscle|muscles|legs|leg|arms|arm|quads|quad|thighs|thigh|biceps|triceps|calves|glutes"
        "|hamstrings|hammies|body|whole body|shoulders|back"
        "|мышц*|ноги|ногах|ног|руки|руках|бедр*|бицепс*|икры|квадрицепс*|тело|ягодиц*"
        "|musculo*|piernas|pierna|brazos|brazo|muslos|cuadriceps|biceps|gemelos|gluteos|cuerpo"
        "|muskel*|muskeln|beine|bein|arme|arm|oberschenkel|bizeps|waden|korper"
    ),
    "muscle_bad": (
        "pain|painful|hurt|hurts|hurting|ache|aches|aching|sore|soreness|swollen|swelling"
        "|swelled|weak|weakness|killing me|agony|can't move|cant move|can't straighten"
        "|cant straighten|can't bend|cant bend|stiff|rock hard|burning|cramp*|destroyed"
        "|боль|боли|болит|болят|болело|ноют|ноет|опух*|отек*|отеч*|слабост*|не разогнуть"
        "|не согнуть|забит*|горят|крепатур*|каменные"
        "|duelen|duele|dolor*|agujetas|hinchad*|inflamad*|debil*|no puedo estirar"
        "|no puedo doblar|me matan|matando|rigid*|duros"
        "|muskelkater|schmerz*|weh|geschwollen*|schwach|nicht strecken|nicht beugen|brennen"
        "|hart|verhart*|steinhart"
    ),
    "muscle_trouble": ("doms|muskelkater|muskelschmerz*|agujetas|крепатур*"),
    "rhabdo_claim": (
        "i have rhabdo|i got rhabdo|i think i have rhabdo|might have rhabdo|may have rhabdo"
        "|could this be rhabdo|could it be rhabdo|is this rhabdo|is it rhabdo|rhabdo symptoms"
        "|у меня рабдо*|кажется рабдо*|похоже на рабдо*|это рабдо*"
        "|tengo rabdo*|creo que tengo rabdo*|sera rabdo*|es rabdo*"
        "|ich habe eine rhabdo*|ich hab eine rhabdo*|ist das eine rhabdo*|ist das rhabdo*"
    ),
    # --- injuries ----------------------------------------------------------------------------
    "swelling": (
        "swollen|swelling|swelled|swell up|swelled up|swells up|puffed up|ballooned|blew up"
        "|опух*|отек*|отечн*|распух*|раздул*"
        "|hinchad*|hinchazon|inflamad*|se hincho|se me hincho|se inflamo"
        "|geschwollen*|schwellung*|angeschwollen*|dick geworden"
    ),
    "deformity": (
        "deformed|deformity|misshapen|bent the wrong way|bends the wrong way|wrong angle"
        "|sticking out|poking out|dislocated|dislocation|popped out of the socket"
        "|popped out of its socket|out of the socket|out of socket|bone is showing"
        "|деформ*|торчит кость|кость торчит|вывих*|выскочил* сустав|выбил* плечо|неестественн*"
        "|deform*|disloque|me disloque|me luxe|hueso salido|hueso fuera|dislocad*|luxad*|luxacion"
        "|se me salio el hombro"
        "|se salio el hombro|hueso sobresale"
        "|deformiert|verformt|ausgerenkt|ausgekugelt|steht schief|knochen steht raus"
        "|knochen ragt raus|verrenkt"
    ),
    "!deformity": "dislocates|shoulder dislocate|band dislocate*|dislocate drill*",
    "cant_weight": (
        "can't put weight|cant put weight|cannot put weight|can't put any weight"
        "|cant put any weight|can't bear weight|cant bear weight|unable to bear weight"
        "|не могу наступить|не наступить|не могу встать на ногу|не могу опереться"
        "|no puedo apoyar|no puedo pisar|no lo puedo apoyar"
        "|kann nicht auftreten|kann _ nicht auftreten|kann nicht mehr auftreten"
        "|kann _ nicht belasten|kann _ _ nicht belasten|kann _ _ nicht auftreten"
        "|kann nicht belasten"
    ),
    "trauma": (
        "fell|fall|falling|dropped|twist*|rolled|landed|went over on|bruis*|black and blue|smashed"
        "|hit my|crashed"
        "|упал*|падени*|подвернул*|ударил*|уронил*|синяк*|гематом*|грохнул*"
        "|cai|me cai|caida|torci|me torci|golpe*|moreton*|se me cayo"
        "|gesturzt|sturz*|hingefallen|umgeknickt|verdreht|drauf gefallen|bluterguss|blauer fleck"
    ),
    "cant_use": (
        "can't walk|cant walk|can't move|cant move|can't bend|cant bend|can't straighten"
        "|cant straighten|can't stand|cant stand|can't grip|cant grip|can't lift my arm"
        "|cant lift my arm|cannot walk|cannot move|unable to walk|unable to move"
        "|не могу ходить|не могу встать|не могу пошевелить|не могу согнуть|не могу разогнуть"
        "|не могу двигать|не могу поднять руку|не сгибается|не разгибается"
        "|no puedo caminar|no puedo andar|no puedo mover|no puedo doblar|no puedo estirar"
        "|no puedo levantar el brazo|no se dobla"
        "|kann nicht gehen|kann nicht laufen|kann _ nicht bewegen|kann nicht bewegen"
        "|kann _ nicht beugen|kann _ nicht strecken|kann _ _ nicht bewegen|kann _ _ nicht beugen"
        "|kann _ _ nicht strecken|kann nicht stehen|kann kaum gehen"
    ),
    "pop": (
        "heard a pop|felt a pop|heard a snap|felt a snap|heard a crack|felt something tear"
        "|felt something rip|felt something snap|felt something pop|loud pop|popping sound"
        "|heard a _ pop|heard a _ crack|heard a _ snap|felt a _ pop|felt a _ snap|crunch"
        "|heard something pop|heard something snap|heard something crack|something popped"
        "|something snapped|something tore|snapped|tore|torn|ripped"
        "|хруст|щелчок|треск|хлопок|что то порвалось|порвал*|хрустнуло|щелкнуло"
        "|chasquido|crujido|escuche un crack|senti un pop|se rompio|senti un tiron"
        "|knall|knacken|geknallt|geknackt|gekracht|gerissen|riss"
    ),
    "hurt_after_pop": (
        "pain|painful|hurts|hurt|hurting|swollen|swelling|can't|cant|cannot|bruis*|agony"
        "|боль|болит|больно|опух*|отек*|не могу|dolor|duele|hinchad*|no puedo"
        "|schmerz*|weh|geschwollen*|kann nicht"
    ),
    "broke": (
        "broke|broken|fractured|fracture|snapped"
        "|сломал*|перелом*"
        "|rompi|roto|rota|fractur*"
        "|gebrochen|bruch|angebrochen"
    ),
    "bone": (
        "arm|leg|wrist|ankle|foot|hand|finger|fingers|toe|toes|rib|ribs|collarbone|nose|kneecap"
        "|shin|elbow|hip|bone"
        "|руку|рука|ногу|нога|запяст*|лодыжк*|стоп*|палец|пальц*|ребр*|ключиц*|нос|кост*|локот*"
        "|brazo|pierna|muneca|tobillo|pie|mano|dedo|dedos|costilla*|clavicula|nariz|hueso|codo"
        "|arm|bein|handgelenk|knochel|fuss|hand|finger|zeh|zehe|rippe|rippen|schlusselbein"
        "|nase|knochen|ellbogen"
    ),
    # --- self-harm ---------------------------------------------------------------------------
    "self_harm": (
        "kill myself|kil myself|kll myself|killing myself|kill my self|suicide|suicidal"
        "|end my life|end my own life"
        "|ending my life|take my own life|take my life|taking my own life|want to die"
        "|wanna die|wish i was dead|wish i were dead|wish i was never born|better off dead"
        "|point of living|point in living|point to living|point of life|no point anymore"
        "|no reason to live|nothing to live for|no point in living|no point living"
        "|self harm|self-harm|selfharm|self harming|cutting myself|end it all|unalive myself"
        "|don't want to live|dont want to live|do not want to live|don't want to be alive"
        "|dont want to be alive|don't want to exist|dont want to exist|don't want to wake up"
        "|dont want to wake up|don't want to be here anymore|dont want to be here anymore"
        "|unalive|off myself|not worth living|want to disappear forever|hurt myself on purpose"
        "|покончить с собой|покончу с собой|убить себя|убью себя|суицид*|самоубийств*"
        "|не хочу жить|жить не хочу|не хочется жить|незачем жить|нет смысла жить|хочу умереть"
        "|хочется умереть|хочу сдохнуть|лучше бы я умер*|лучше бы меня не было|режу себя"
        "|селфхарм*|самоповрежд*|свести счеты с жизнью|наложить на себя руки|выпилиться"
        "|не хочу просыпаться|жить не хочется|жить _ не хочется|устал* жить|не хочу _ жить"
        "|жить _ не хочу"
        "|matarme|suicid*|quitarme la vida|autolesion*|no quiero vivir|no quiero seguir viviendo"
        "|quiero morir|quiero morirme|ganas de morir|ganas de morirme|mejor muerto|mejor muerta"
        "|me corto|me corto los brazos|no quiero despertar|acabar con mi vida|acabar con todo"
        "|me quiero morir|me quiero matar|no quiero _ vivir|quitarme de en medio"
        "|mich umbringen|bringe mich um|bring mich um|selbstmord*|suizid*|selbstverletz*"
        "|nicht mehr leben|lebensmude|will sterben|mochte sterben|mir das leben nehmen"
        "|keine lust mehr zu leben|kein bock mehr zu leben|keinen sinn mehr zu leben"
        "|nicht mehr aufwachen|allem ein ende setzen|ritze mich|will _ sterben|will _ _ sterben"
        "|mochte _ sterben|sterben will"
    ),
    "!self_harm": (
        "want to die laughing|wanna die laughing|die laughing|die of laughter|killing myself at"
        "|killing myself in|killing myself with|killing myself on"
        "|killing myself doing|kill myself at the gym|kill myself in the gym|kill myself with"
        "|suicide run*|suicide sprint*|suicide drill*|suicide grip|suicide shuttle*"
        "|suicide squat*|suicide line*|suicide burpee*|suicides at|suicides in|did suicides"
        "|take my life back|take my life to|take my life in|take my life into|end my life of"
        "|va a matarme|me va a matar|voy a matarme en|voy a matarme con|matarme en el gym"
        "|matarme en el gimnasio|matarme entrenando|suicidio de calorias"
        "|will nicht mehr laufen|will nicht mehr trainieren|will nicht mehr essen"
        "|will nicht mehr so|will nicht sterben|will _ nicht sterben|mochte nicht sterben"
        "|hice suicidios|suicidios en|suicidios de"
    ),
    "want": (
        "want|wanna|wanting|urge|urges|tempted|feel like|thinking about|thinking of"
        "|thought about|planning|plan to"
        "|хочу|хочется|хотел*|думаю|тянет|мысли|собираюсь"
        "|quiero|ganas de|pienso en|pensando en|voy a|he pensado|quisiera"
        "|will|mochte|denke daran|gedanken|werde"
    ),
    "harm_self": (
        "hurt myself|harm myself|cut myself|burn myself|punish myself|hurting myself"
        "|harming myself|cutting myself"
        "|порезать себя|навредить себе|причинить себе вред|причинить себе боль|резать себя"
        "|порезаться|резаться"
        "|hacerme dano|lastimarme|cortarme|herirme|hacerme algo"
        "|mich verletzen|mich zu verletzen|mich selbst verletzen|mich ritzen|mich schneiden"
        "|mir wehtun"
        "|mir weh tun|mir was antun|mir etwas antun"
    ),
}
