"""Attribution constructions of real news reporting, each found failing on the PolNeAR train split and fixed in
the parse linker. Every sentence here was written for this file."""

import pytest

from classifier.extract import StatementExtractor
from classifier.extract import parse as parse_module
from classifier.pipeline import ArticleScorer

pytestmark = pytest.mark.skipif(parse_module.load_pipeline() is None, reason="spaCy's English pipeline is missing")


@pytest.fixture(scope="module")
def extractor():
    return StatementExtractor("parse")


@pytest.fixture(scope="module")
def finder(extractor):
    return ArticleScorer(model=None, extractor=extractor).find


def phrases(extractor, text):
    """``(source phrase, reported words)`` of each statement found in ``text``."""
    found = []
    for statement in extractor.extract(text):
        source = text[statement.source[0] : statement.source[1]] if statement.source else None
        found.append((source, [text[a:b] for a, b in statement.reported]))
    return found


@pytest.mark.parametrize(
    ("text", "source"),
    [
        # the whole noun phrase is the source: titles, appositions, an aside's commas
        ("Jane Roe, a lawyer for the family, said the hearing was postponed.", "Jane Roe, a lawyer for the family"),
        # ... but not a relative clause that is an attribution of its own
        ("Smith, who predicted a recount, said the count was fair.", "Smith"),
        # ... nor a focus adverb before it
        ("Even Mayor Jane Roe said the plan had failed.", "Mayor Jane Roe"),
        # the agent phrase of a passive
        ("The ceasefire was demanded by the council on Tuesday.", "by the council"),
        # a relative pronoun is the source where its clause reports something
        ("The plan drew support from Ghana, which said it would send troops.", "which"),
        ("The talks will resume next week, according to Qatar's foreign ministry.", "Qatar's foreign ministry"),
    ],
)
def test_source_is_the_whole_phrase(extractor, text, source):
    assert [s for s, _ in phrases(extractor, text)] == [source]


@pytest.mark.parametrize(
    ("text", "reported"),
    [
        # the complement clause, "that" included, without the adverbials between cue and clause
        ("The envoy said on Monday that both armies would withdraw.", ["that both armies would withdraw"]),
        # every clause the cue reports, "and that ..." included
        (
            "His sisters said that their father could be unyielding, and that the son had struggled.",
            ["that their father could be unyielding, and that the son had struggled"],
        ),
        # whoever is urged or called on is part of what is asked
        ("The council urged him to resign.", ["him to resign"]),
        ("Lawmakers called on both parties to return to the table.", ["both parties to return to the table"]),
        # a closing attribution reports the clause before it
        ("Both armies will withdraw, officials said.", ["Both armies will withdraw"]),
        # "according to X": the rest of the sentence
        ("Talks resume next week, according to Qatar's foreign ministry.", ["Talks resume next week"]),
        # the clause comes with the speaker's other verb
        ("Egypt condemned the raid, saying it violated the truce.", ["it violated the truce"]),
        # an attribution set inside the clause by commas: the clause around it
        ("The talks, Ruto added, would resume in May.", ["The talks", "would resume in May"]),
        # naming something is saying it
        ("Senator Jane Roe called the plan reckless.", ["the plan reckless"]),
    ],
)
def test_reported_words(extractor, text, reported):
    assert [r for _, r in phrases(extractor, text)] == [reported]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # participles of speech verbs take the subject of the verb they hang from
        ("The minister left the room, adding that the talks were over.", ["minister"]),
        ("Kenya withdrew its envoy on Friday, saying the talks had failed.", ["Kenya"]),
        # a non-restrictive relative clause that reports a clause is its antecedent speaking
        ("The offer drew praise from Norway, which said it would fund the talks.", ["Norway"]),
        ("Aid reached the town after Ghana, which called the blockade illegal, sent trucks.", ["Ghana"]),
        # one speaker with a relative aside and a main verb is one statement, read off the main verb
        ("Smith, who said the vote was rigged, said he would appeal.", ["Smith"]),
        # "called X Y" is speech; "called X" is a telephone call
        ("Senator Jane Roe called the plan reckless.", ["Jane Roe"]),
        ("Putin called Erdogan on Monday.", []),
        ("A year later, Mr. Obama called Naghmeh Abedini.", []),
        ("Jane Roe called her son her hero.", ["Jane Roe"]),
        # a free relative does not give the words: "what he said"
        ("Sexton reflected on what he said frightens him the most.", []),
        # whatever noun says something is speaking; a stance verb needs a noun that can speak
        ("A campaign ad airing in Ohio argues that the senator skipped the vote.", ["campaign ad"]),
        ("A truce agreed in Moscow supported the talks.", []),
        ("Ruto wrote to the council, stating that Kenya would not send troops.", ["Ruto"]),
        # adding and claiming something are not speech
        ("Twitter added five million users last quarter.", []),
        ("Fresh fighting is adding to the misery of civilians.", []),
        ("The rebels won the vote, claiming a third victory.", []),
        # an inner speech verb that reports nothing of its own is the outer speaker's report of an act
        ("But Okafor said the council has not replied to his letters.", ["Okafor"]),
        ("The aide said Minister Jane Roe had urged both sides to talk.", ["Jane Roe"]),
        # a figure sourced with "according to" is not a statement, in words as in digits
        ("Three officers were killed when their helicopter crashed, according to the defence ministry.", []),
        # "each side accusing the other" narrates a dispute; it names no speaker
        ("Two truces broke down within hours, with each side accusing the other of firing first.", []),
        # a list with "the" after a comma, and a list set after the noun's own clause
        (
            "Donors, among them Norway, the Netherlands and Ghana, urged both sides to talk.",
            ["Norway", "Netherlands", "Ghana"],
        ),
        (
            "Several states that sent monitors, among them Peru, Chile and Ghana, have urged a truce.",
            ["Peru", "Chile", "Ghana"],
        ),
        # people counted are a source
        ("Many in the hall said the truce would not last.", ["Many in the hall"]),
        # a quotation opened with a straight mark and closed with a curly one, and the reverse
        ('"Talks are the only way,\u201d said Jane Roe, a lawyer for the families.', ["Jane Roe"]),
        ('\u201cTalks are the only way," said Jane Roe, a lawyer for the families.', ["Jane Roe"]),
        # what a resolution's text does is the council's statement, whatever the verb
        (
            "The resolution, adopted unanimously, terminates the mandate of the mission and requests it to complete "
            "its withdrawal by December.",
            ["UN Security Council"],
        ),
        # ", a charge X denies" is X's statement beside the accuser's
        (
            "Bujumbura has accused neighbouring Rwanda of training the rebels, a charge Kigali denies.",
            ["Bujumbura", "Kigali"],
        ),
        # a list that ends the clause before ", and called on" is not the subject of the second verb
        (
            "In a statement issued in Lagos, the Foreign Ministry said the offer had been made after talks with ECOWAS "
            'leaders, the African Union and the United Nations, and called on the rebels to pull out "without delay".',
            ["Foreign Ministry"],
        ),
        # ... but a closing attribution after a comma names its own speaker
        (
            "The president signed the decree on Monday, her security minister, Ali Rahman, told reporters.",
            ["Ali Rahman"],
        ),
    ],
)
def test_speakers(finder, text, expected):
    assert [s["speaker"] for s in finder(text)] == expected


def test_main_verb_is_the_cue_of_a_speaker_with_a_reporting_aside(extractor):
    text = "Smith, who said the vote was rigged, said he would appeal."
    (statement,) = extractor.extract(text)
    assert statement.cue[0] == text.rindex("said")
    assert [text[a:b] for a, b in statement.reported] == ["he would appeal"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a definite description no title fits is the person who spoke just before
        (
            "Jane Roe, who led the talks in Doha, urged both armies to hold their fire. The veteran negotiator said "
            "the next round would open on Monday.",
            ["Jane Roe", "Jane Roe"],
        ),
        # ... or the person a reporter asked
        (
            '"Will the troops stay?" a reporter asked Admiral John Okafor. "Only until May," the former admiral '
            "replied.",
            ["reporter", "John Okafor"],
        ),
        # "he" after an unnamed reporter's question is whoever was answering, not a name in the question
        (
            "Spokesman Jon Okafor said the embassy would stay open. Reporters pressed him on the shelling of the "
            'West African port. "Will you blame the rebels?" another reporter asked. "We blame anyone who fires on '
            'civilians," he said.',
            ["Jon Okafor", "Reporters", "reporter", "Jon Okafor"],
        ),
        # a lower-case title before a name, with the state that owns it, rules out another state's president
        (
            "Ghana's President Kofi Mensah and Kenya's former president Daniel Otieno met in Accra. Mensah said the "
            'talks had gone well. "Both armies must pull back," the former Kenyan leader said.',
            ["Kofi Mensah", "Daniel Otieno"],
        ),
        # "the Iran-backed group" and "the rebels" are the armed group named last; "the group" the body that spoke
        (
            "The M23 took the town. Human Rights Watch said civilians died. The group said the army must protect "
            "them. The Rwanda-backed rebels said they would hold the town.",
            ["Human Rights Watch", "Human Rights Watch", "M23"],
        ),
        # any other definite description right after a person spoke continues that person
        (
            "Defence Minister Amina Diallo told lawmakers the offensive would go on. The former human rights lawyer "
            "said troops had orders to spare civilians.",
            ["Amina Diallo", "Amina Diallo"],
        ),
        # "his government" is the state of the titled person named last
        (
            "Japanese Prime Minister Kenji Sato told parliament he hoped both sides would show restraint, and his "
            "government urged them to resolve the dispute through talks.",
            ["Kenji Sato", "Japan"],
        ),
        # a body's members named with the body, and a state's adjective before its government
        ("Deputies of the opposition New Democracy party accused him of yielding.", ["New Democracy"]),
        ("The Philippine government said it would pursue the commanders.", ["Philippines"]),
        # unnamed officials: the state in the description, and "administration" for Washington
        ('"France will honour its commitments," a senior French diplomat said.', ["France"]),
        ('"Nobody wants a confrontation," a senior administration official said.', ["United States"]),
        ("Several protesters told reporters the troops should leave.", ["protesters"]),
        # the state that owns an unnamed official speaks
        ("Norway's deputy U.N. ambassador said Oslo would fund the talks.", ["Norway"]),
        # a bare "the government" is the state the article is about
        (
            "Fighting flared again in northern Mali on Sunday. Mali says the rebels broke the truce. The government "
            "said on Monday that it would not negotiate.",
            ["Mali", "Mali"],
        ),
        # "the command" is the body named with that word; a person named with the body stays a person
        (
            "The African Union said its troops held the town. U.S. Africa Command said it had struck a camp nearby. "
            "The command said no civilians had been harmed.",
            ["African Union", "U.S. Africa Command", "U.S. Africa Command"],
        ),
        # "the High Commissioner" is the UN chief with that office named last
        (
            'UN human rights chief Volker Turk said he was appalled by the killings. "States must enforce the arms '
            'embargo," the High Commissioner said.',
            ["Volker Turk", "Volker Turk"],
        ),
        (
            "Brig. Gen. Richard Neal of U.S. Central Command told reporters the retreat had turned into a rout. "
            "Neal said the road north was blocked.",
            ["Richard Neal", "Richard Neal"],
        ),
        # "he" after narration is that sentence's subject, not the person it met; "Serraj" is "Fayez al-Serraj"
        (
            "Turkish President Tayyip Erdogan said his troops would stay. Prime Minister Fayez al-Serraj stayed "
            "silent.\n\nSerraj flew home by way of Istanbul, where he held talks with Erdogan. He said on his return "
            "that his government would respect the truce.",
            ["Tayyip Erdogan", "Fayez al-Serraj"],
        ),
        # "Ethiopia's prime minister" is the prime minister the article names with that title
        (
            "Ethiopia's prime minister said the port deal would harm nobody.\n\nPrime Minister Abiy Ahmed told "
            "parliament that the deal was final.",
            ["Abiy Ahmed", "Abiy Ahmed"],
        ),
        # "President Hassan Sheikh Mohamud": "Sheikh" inside a name is part of it
        ("President Hassan Sheikh Mohamud told parliament the deal was illegal.", ["Hassan Sheikh Mohamud"]),
        # an age after a paragraph of narration is the story's main figure, not whoever spoke last
        (
            "Prime Minister Haider al-Abadi said the offensive would begin soon. Abadi told parliament that Iraqi "
            "forces alone would enter the city. A government spokesman, Saad al-Hadithi, declined to rule out a "
            "Turkish role.\n\nMore than a million people still live in the city. Aid groups have set up camps to "
            "the east and south of it, and the roads out of the city have been cut for weeks by the fighting around "
            "the airport and the old bridges over the Tigris, which engineers have been trying to repair since the "
            'summer.\n\n"Mosul will be liberated by Iraqis," the 64-year-old said.',
            ["Haider al-Abadi", "Haider al-Abadi", "Saad al-Hadithi", "Haider al-Abadi"],
        ),
        # "diplomats said" is a group, not the envoy who spoke last
        (
            "U.N. envoy Martin Griffiths said he would ask the council to endorse the deal. The council failed for "
            "the third time to agree on a statement, diplomats said.",
            ["Martin Griffiths", "diplomats"],
        ),
        # a speech verb in the purpose clause of a reported act is the actor's statement
        (
            "The Elysee said President Jacques Chirac had telephoned Israeli Prime Minister Shimon Peres overnight "
            "to urge him to stop the fighting.",
            ["Jacques Chirac"],
        ),
        # a news agency told something is not the "he" who speaks next
        (
            "Foreign Minister Khalid al-Yamani said his side would keep its word. He later told The Associated Press "
            "that the government did not trust the rebels. The coalition has been accused by rights groups of "
            "killing civilians. He said the coalition would respect the truce.",
            ["Khalid al-Yamani", "Khalid al-Yamani", "rights groups", "Khalid al-Yamani"],
        ),
        # "the secretary general" is no military general
        (
            "Serb commander Gen. Nebojsa Pavkovic said his men were leaving. Kofi Annan welcomed the pullout. The "
            "secretary general told the council that the world body was ready.",
            ["Nebojsa Pavkovic", "Kofi Annan", "Kofi Annan"],
        ),
        # "the prime minister" is not the foreign minister who spoke last
        (
            "Prime Minister Srettha Thavisin visited the border on Friday. Foreign Minister Parnpree Bahiddha-Nukara "
            'said Thailand was ready to host talks. Asked about the rebels, the prime minister said it was "too '
            'early" for such questions.',
            ["Parnpree Bahiddha-Nukara", "Srettha Thavisin"],
        ),
        # "the diplomat" continues the unnamed one introduced just before, not the named diplomat before that
        (
            "Secretary of State Antony Blinken urged both sides to talk. A senior European diplomat, who asked not "
            'to be named, told reporters that neither side could win. "They both know it," the diplomat said.',
            ["Antony Blinken", "senior European diplomat", "senior European diplomat"],
        ),
        # "the rebel leader" is the armed group's leader, not the president who spoke last
        (
            "FARC leader Rodrigo Londono signed the accord. President Juan Manuel Santos said the war was over. "
            '"Now it is the state\'s turn," the rebel leader said.',
            ["Juan Manuel Santos", "Rodrigo Londono"],
        ),
        # "The statement added" continues a statement whose issuer was a description
        (
            "The rebels said in a statement that they were ready to talk. A statement from the ministry said the "
            "door remained open. The statement added that the government would not negotiate under fire.",
            ["rebels", "ministry", "ministry"],
        ),
        # a spokesperson's closing attribution sources the principal who opens the sentence
        (
            "UN Secretary-General Antonio Guterres condemned the shelling. Guterres had asked the mission to protect "
            "the camps, his spokesman Stephane Dujarric said in New York. The secretary-general is alarmed by the "
            "fighting and calls on both sides to stop, his spokesman said.",
            ["Antonio Guterres", "Antonio Guterres", "Antonio Guterres"],
        ),
        # a press secretary named after the title relays the person she speaks for
        (
            "The White House press secretary, Jane Roe, said President John Doe had spoken to both leaders and had "
            "thanked them for the truce.",
            ["John Doe"],
        ),
        # ... not the one a spokesperson "told": the news agency is addressed, not relayed
        (
            'Hamas rejected the plan. "We will not sign a truce that leaves the siege in place," Sami Abu Zuhri, a '
            "Hamas spokesman in Gaza, told The Associated Press.",
            ["Hamas", "Sami Abu Zuhri"],
        ),
        # "quoted X as saying" is X's statement; "the Egyptian proposal" is Egypt's
        (
            "Tehran radio quoted Parliament Speaker Hashemi Rafsanjani as saying Iran would go on defending itself. "
            "The Egyptian proposal called for a halt to the fighting from Tuesday.",
            ["Hashemi Rafsanjani", "Egypt"],
        ),
        # ... but what the spokesperson says of somebody else's act stays the spokesperson's
        (
            "UN spokesman Stephane Dujarric briefed reporters. The convoy had reached Kadugli on Monday, Dujarric "
            "said.",
            ["Stephane Dujarric"],
        ),
    ],
)
def test_descriptions_resolve(finder, text, expected):
    assert [s["speaker"] for s in finder(text)] == expected


def test_the_speakers_other_cue_reports_words_of_its_own(extractor):
    text = "The campaign called on the agency to review the pipes and said the administration should test every child."
    (statement,) = extractor.extract(text)
    assert [text[a:b] for a, b in statement.reported] == ["the agency to review the pipes"]
    assert [text[a:b] for a, b in statement.also_reported] == ["the administration should test every child"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "by urging": the subject of the verb the preposition hangs from, not a building named in between
        (
            "Yoweri Museveni, the regional mediator, opened the session at State House in Entebbe by urging both "
            "delegations to settle their differences through negotiation.",
            ["Yoweri Museveni"],
        ),
        # a pronoun after a sentence whose subject is a titled person (opened by "But") is that person's
        (
            "UN envoy Ghassan Salame welcomed the deal. But Turkish President Recep Tayyip Erdogan, whose country "
            'backs the GNA, cast doubt on the accord. "Signatures do not make a peace," he told reporters.',
            ["Ghassan Salame", "Recep Tayyip Erdogan", "Recep Tayyip Erdogan"],
        ),
        # ... and in the same sentence, after an apposition
        (
            "Getachew Reda said the army had to leave. Eritrea's information minister, Yemane Gebremeskel, did not "
            "respond to a request for comment, but last week he wrote on Twitter that Eritrean forces had no reason "
            "to stay.",
            ["Getachew Reda", "Yemane Gebremeskel"],
        ),
        # ... but not a coordinated pair of subjects, which "he" cannot be
        (
            "Malaysian Prime Minister Muhyiddin Yassin told the summit that the bloc had to act. Thai Prime "
            "Minister Prayut Chan-o-cha and Philippine President Rodrigo Duterte skipped it. He urged the junta to "
            "free detained leaders.",
            ["Muhyiddin Yassin", "Muhyiddin Yassin"],
        ),
        # a spokesperson's "said" relays the principal even when the statement's cue is a later "had urged"
        (
            'In New York, U.N. spokesman Stephane Dujarric said Secretary-General Antonio Guterres was "deeply '
            'troubled" by the reports and had urged the authorities to suspend military operations.',
            ["Antonio Guterres"],
        ),
        # a contrast or a dated clause of the journalist's beside the reported words is a second statement
        (
            "The Houthi movement has held the port since 2014. The coalition said its troops had taken the airport, "
            "while the Iran-aligned group said it had repelled the attack.",
            ["coalition", "Houthi"],
        ),
        (
            "The ELN was founded in 1964. Colombia's government said Wednesday it was suspending the decree, a day "
            "after the rebel group denied it had ever agreed to stop fighting.",
            ["Colombia's government", "ELN"],
        ),
        # ... but not an act in such a clause
        (
            "President Juan Manuel Santos said the ceasefire would remain in force, a day after voters rejected the "
            "peace deal.",
            ["Juan Manuel Santos"],
        ),
        # "called earlier this month for", "the Group of Seven" as the whole name
        (
            "Foreign ministers of the Group of Seven called earlier this month for the violence to end.",
            ["G7"],
        ),
        # a bare "the military" is the armed forces of the state the story is about, not the last body speaking
        (
            "Myanmar rejected the truce on Monday. Several countries, among them Turkey and Malaysia, have demanded "
            "that Myanmar halt the operation. The military said in a statement that its troops had repulsed an "
            "attack.",
            ["Myanmar", "Turkey", "Malaysia", "Tatmadaw"],
        ),
        # "the group" is never a government, and an armed group's own organ speaks as the group
        (
            "Colombia's government said it was suspending the decree. The ELN's central command said its "
            "negotiators had never discussed a truce. The group said it would honor only commitments reached at "
            "the table.",
            ["Colombia's government", "ELN", "ELN"],
        ),
        # an age is the story's main figure's: a titled person, not a body listed beside him nor a holiday
        (
            "The reversal embarrassed President Gustavo Petro, who announced on New Year's Eve that his government "
            "had reached cease-fires with five armed groups, including the ELN and the Gulf Clan drug cartel, and "
            "with two factions of former FARC rebels who stayed out of the 2016 peace deal and still hold large "
            "parts of the southern jungle.\n\n"
            '"Peace is no longer a promise," the 62-year-old former guerrilla wrote on Twitter at the time.',
            ["Gustavo Petro", "Gustavo Petro"],
        ),
        # an unnamed leader's office speaks as a body of the state whose leader it serves
        (
            "Ethiopia's Prime Minister Abiy Ahmed told parliament the troops would leave. Eritrea's envoy said they "
            "had done nothing wrong. The prime minister's office said in a statement that the army had taken over "
            "several positions.",
            ["Abiy Ahmed", "Eritrea's envoy", "Ethiopia's Prime Minister's Office"],
        ),
        (
            "Burundian President Evariste Ndayishimiye accused Rwanda of backing the rebels. A statement from the "
            "presidency in Bujumbura said the army would defend the territory.",
            ["Evariste Ndayishimiye", "Burundi's presidency"],
        ),
        # a denial or rejection hung on the charge or offer reported is the second party's own statement
        (
            "Georgia has accused Russian commanders of arming the separatists, a charge Moscow denies.",
            ["Georgia", "Moscow"],
        ),
        (
            "Ankara said it was ready for a comprehensive dialogue with Greece, an offer Athens promptly rejected.",
            ["Ankara", "Athens"],
        ),
        # backing a party is arms or money, not words; backing a right or a plan is a statement
        (
            "Turkey backs the GNA, while the LNA has been supported by the United Arab Emirates, Egypt and Russia. "
            "Turkey has supported Azerbaijan's right to self-defense. The United States backed the French plan.",
            ["Turkey", "United States"],
        ),
        # a list whose first member has an apposition: the parser hangs the rest on the apposition
        (
            "Belgium, the former colonial power, the European Union and the United States said in separate "
            'statements that they backed the AU force and urged all sides to "renounce violence".',
            ["Belgium", "European Union", "United States"],
        ),
        # an unnamed official is the body: the state the story is about for "government", its army for "army"
        (
            "Colombia's government suspended the decree on Wednesday. A senior government official who asked not "
            "to be named said the commissioner had relied on the rebels' word.",
            ["Colombia"],
        ),
        (
            "Myanmar rejected the truce on Monday. A senior army officer in Naypyitaw said troops would stay on "
            "alert. A senior Burundian security official said troops had been deployed.",
            ["Myanmar", "Tatmadaw", "Burundi"],
        ),
        # "the rebel leader" continues a rebel commander, and a plain "leader" is still the president
        (
            '"The guns will go quiet," President Juan Manuel Santos said after shaking hands with the rebel '
            "commander, Rodrigo Londono.\n\n"
            '"We kept our word. Now it is the state\'s turn," the rebel leader said in a speech.',
            ["Juan Manuel Santos", "Rodrigo Londono"],
        ),
        # a participle aside between a name and its verb, which the parser takes for the verb's conjunct
        (
            "Georgian President Mikheil Saakashvili, speaking live on Rustavi-2 television, called on Moscow to stop "
            'the bombing of Georgian towns.\n\n"We are ready to sign a ceasefire this minute," the 40-year-old said.',
            ["Mikheil Saakashvili", "Mikheil Saakashvili"],
        ),
        # a statement noun owned by a pronoun is the statement's subject, not the pronoun
        (
            "The council met on Monday to discuss the war.\n\nIts resolution 2216, adopted in April 2015, demands "
            "that the Houthis withdraw from all areas they seized.",
            ["UN Security Council"],
        ),
        # "the head of state" is the president, whoever spoke last
        (
            "Pablo Beltran, who heads the ELN delegation, said the group was ready. Colombian President Ivan Duque "
            'ordered the arrest warrants reactivated.\n\n"Colombia has been generous," the head of state said.',
            ["Pablo Beltran", "Ivan Duque"],
        ),
        # an agreement reported by a closing attribution is the reporter's statement, an act not words
        (
            "Burkina Faso's ousted military ruler, Lieutenant Colonel Paul-Henri Sandaogo Damiba, has agreed to step "
            "down, mediators said, two days after army officers seized power.",
            ["mediators"],
        ),
        # "the independence movement" is the group that spoke last, with its modifier
        (
            "The Polisario Front said its fighters had responded in self-defence. Morocco said its forces had "
            "opened the crossing. The independence movement said its units had attacked several positions.",
            ["Polisario Front", "Morocco", "Polisario Front"],
        ),
        # after a reporter's question, "she" is the spokeswoman who relayed her principal, not the principal
        (
            "Secretary of State Rex Tillerson said the channels were open. State Department spokeswoman Heather "
            'Nauert said Monday that Tillerson had made the pressure campaign clear. "Is the secretary being '
            'undercut?" a reporter asked at the briefing. "No. They are on the same page," she said.',
            ["Rex Tillerson", "Rex Tillerson", "reporter", "Heather Nauert"],
        ),
        # the junta's own organs speak as the armed forces of the state the story is about
        (
            "Myanmar rejected the truce on Monday. The junta's information team said in a statement that the "
            "ceasefire would run until April 22.",
            ["Myanmar", "Tatmadaw"],
        ),
        # "to tell him that ...": the caller's words, which a closing "his office said" only sources
        (
            "Turkish President Tayyip Erdogan telephoned Aliyev to tell him that Turkey backed Azerbaijan's right to "
            "defend its land, his office said.",
            ["Tayyip Erdogan"],
        ),
        # a body's leaders speak as the body
        (
            "The junta was urged by ASEAN leaders in April 2021 to end the violence and open dialogue.",
            ["ASEAN"],
        ),
        # an agreement narrated is an act, not words; "agreed that" still reports words
        (
            "The two militaries first agreed to a ceasefire along the line in November 2003. Washington agreed to "
            "withdraw its troops in exchange for security guarantees. The envoy agreed that talks should resume.",
            ["envoy"],
        ),
        # a figure in words sourced with "according to" is no statement
        (
            "More than a million Rwandans have poured across the border since Thursday, according to the UN refugee "
            "agency.",
            [],
        ),
        # a medium citing its source gives the source's statement; unnamed sources keep what they are close to
        (
            "Al-Ahrar television, citing a source in the Presidential Council, said the body had ordered all armed "
            "units back to their barracks. Sources close to the negotiations said London had dropped the language.",
            ["Presidential Council", "sources close to the negotiations"],
        ),
        # a description right after a narration sentence about a person is that person, not the last speaker
        (
            "State Department spokesman Ned Price said the pullout was a good first step.\n\nOlusegun Obasanjo, the "
            "AU's envoy for the Horn of Africa, has been shuttling between the capitals for weeks. The former "
            "Nigerian president said in a statement that he was encouraged by the latest moves.",
            ["Ned Price", "Olusegun Obasanjo"],
        ),
    ],
)
def test_constructions_of_the_fifth_round(finder, text, expected):
    assert [s["speaker"] for s in finder(text)] == expected


def test_bonn_speaks_for_germany(finder):
    # the seat of West Germany's government until 1999, in the archives of the 1990s wars
    found = finder("Washington, Bonn and Paris welcomed the truce in separate statements.")
    assert [s["actor"]["id"] if s["actor"] else None for s in found] == ["United States", "Germany", "France"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a statement no one spoke before: the body named last, in this paragraph or the one before, issued it
        (
            "Iran hosted the last round of the talks and sent its foreign minister to the signing. A statement "
            "released in Tehran on Friday said the accord showed that the region could solve its own problems.",
            [("Iran", None)],
        ),
        # "that faction", "the faction" after a movement the actor table does not know: the movement
        (
            "The Casamance Democratic Front, a splinter group, took a different line. That faction said in a "
            "statement that it welcomed the offer and was ready to return to the talks.",
            [("Casamance Democratic Front", None)],
        ),
        # "the presidency in Bujumbura": the capital names the state; the presidency speaks for the president
        (
            "President Evariste Ndayishimiye said the border would stay closed. Rwandan President Paul Kagame "
            "denied any role in the raid.\n\nA statement from the presidency in Bujumbura said the army would "
            "defend every inch of the national territory.",
            [("Evariste Ndayishimiye", None), ("Paul Kagame", None), ("Burundi's presidency", "Evariste Ndayishimiye")],
        ),
        # "his office" of a president named earlier
        (
            "Uganda's President Yoweri Museveni will host the first round of talks in Entebbe on December 28, his "
            "office said.",
            [("Uganda's presidency", "Yoweri Museveni")],
        ),
        # the prime minister's office of a leader titled without a state: the state the article names most
        (
            "Prime Minister Abiy Ahmed sent federal troops into Tigray after attacks on Ethiopian army bases. "
            "Ethiopia has said it will not negotiate.\n\nA statement from the prime minister's office said the "
            "Ethiopian army had taken over several positions near the border.",
            [("Ethiopia", None), ("Ethiopia's Prime Minister's Office", "Abiy Ahmed")],
        ),
        # a leader's office relays the leader's words as a spokesperson does, but reports the leader's acts itself
        (
            "The Elysee said President Emmanuel Macron and Chancellor Olaf Scholz had spoken by phone and agreed "
            "that the talks must resume. Downing Street said Prime Minister Keir Starmer had called an emergency "
            "meeting of ministers.",
            [("Emmanuel Macron", None), ("Downing Street", None)],
        ),
        # the office of a titled leader, named in the mention itself
        (
            "Israeli Prime Minister Benjamin Netanyahu rejected the proposal. Netanyahu's office said in a "
            "statement that Israel would keep its freedom to act.",
            [("Benjamin Netanyahu", None), ("Israel's Prime Minister's Office", "Benjamin Netanyahu")],
        ),
        # a dateline closed by a colon, as South Asian papers write it, names no speaker
        (
            "ISLAMABAD, July 17: President Pervez Musharraf, who returned home on Tuesday, said the dialogue with "
            "India had begun.",
            [("Pervez Musharraf", None)],
        ),
        # a single unnamed source keeps what it is close to
        (
            "A source close to the mediators said the talks had nearly collapsed on Saturday night.",
            [("source close to the mediators", None)],
        ),
        # a purpose clause the parser hangs on the noun of an adverbial phrase ("for the day", "in an effort")
        (
            "Pompeo flew in for the day to press both Libyan camps to turn the truce into a permanent ceasefire.",
            [("Pompeo", None)],
        ),
        # "blamed ... on" accuses; a body's secretariat speaks for it with any cue
        (
            "The interim government blamed the killings on the rebels. In a communique read on a rebel radio "
            "station, the FARC's secretariat accused the president of looking for a pretext.",
            [("interim government", None), ("FARC", None)],
        ),
        # "said Britain would press for": the parser's subject of "said" is the reported clause's, and an
        # intention ("would press") is the speaker's own statement
        (
            "Foreign Secretary James Callaghan called the advance deplorable and said Britain, as a guarantor "
            "power, would press for the troops to be pulled back.",
            [("James Callaghan", None)],
        ),
        # "among them those of X, Y and Z"; a passive's agents listed after the cue
        (
            "Several delegations, among them those of Algeria, Tunisia and Qatar, told the closing session that "
            "Libyans alone should decide. The plan was endorsed by Russia, France and the United States.",
            [
                ("Algeria", None),
                ("Tunisia", None),
                ("Qatar", None),
                ("Russia", None),
                ("France", None),
                ("United States", None),
            ],
        ),  # fmt: skip
        # "<leader>'s government" is the state; "the group" with no organisation heard yet is the group named last
        (
            "Ethiopia has been at war in Tigray since 2020. Prime Minister Abiy Ahmed's government declared an "
            "indefinite truce on Thursday.\n\nThe Iran-allied Houthi movement dropped its boycott on Tuesday. "
            "The group had refused on Monday to send its delegation, saying the raids had not stopped.",
            [("Ethiopia", None), ("Houthis", None)],
        ),
        # "adopted resolution 2722, which demands": a lower-case resolution with no article is the council's too
        (
            "The strikes came two days after the council adopted resolution 2722, which demands that the Houthis "
            "halt all attacks on merchant vessels.",
            [("UN Security Council", None)],
        ),
        # a spokesperson named in an apposition closed by a comma relays the principal named after "said"
        (
            "President Pervez Musharraf returned home on Tuesday. The President's spokesman, Maj-Gen Rashid "
            "Qureshi, said Gen Musharraf had written to Mr Vajpayee from the aircraft to thank him and to urge that "
            "the momentum of Agra not be lost.",
            [("Pervez Musharraf", None)],
        ),
    ],
)
def test_constructions_of_the_sixth_round(finder, text, expected):
    assert [(s["speaker"], s["on_behalf_of"]) for s in finder(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a progressive cue is the subject speaking, not a passive ("is warning" beside "is warned")
        (
            "The UN is urging both sides to return to talks in Geneva. Turkey is demanding that Kurdish fighters "
            "leave the border strip.",
            [("UN", None), ("Turkey", None)],
        ),
        ("Civilians in the town are warned to leave before dark.", []),
    ],
)
def test_constructions_of_the_seventh_round(finder, text, expected):
    assert [(s["speaker"], s["on_behalf_of"]) for s in finder(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the small parser's misreadings of two wire constructions, repaired
        ("In an interview with the BBC, Sudan's army chief said there would be no talks.", ["Sudan's army chief"]),
        ("The statement, issued by the Arab League's secretariat, called for an immediate ceasefire.", ["Arab League"]),
        ("The Arab League chief, Ahmed Aboul Gheit, called on Israel to withdraw.", ["Ahmed Aboul Gheit"]),
    ],
)
def test_subjects_the_parser_sets_aside(finder, text, expected):
    assert [s["speaker"] for s in finder(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an unnamed official in or at a body speaks as the body, as one "for" it does
        ("An official at the State Department said the talks would resume.", ["State Department"]),
        ("A senior official in the Prime Minister's Office said the cabinet would meet.", ["Prime Minister's Office"]),
        ("A spokesman for U.N. Secretary-General Antonio Guterres said he was alarmed.", ["Antonio Guterres"]),
        # officials placed in a capital speak for its state; in another town they stay unnamed officials
        ("Officials in Kinshasa said the rebels had not withdrawn.", ["Democratic Republic of the Congo"]),
        ("Officials in Goma said the rebels had not withdrawn.", ["Officials"]),
    ],
)
def test_an_unnamed_official_in_a_body(finder, text, expected):
    assert [s["speaker"] for s in finder(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the bodies whose heads of state speak
        (
            "The heads of state of the East African Community (EAC) and the Southern African Development Community "
            "(SADC) said in a communique that all foreign forces must leave Congolese territory.",
            ["East African Community", "Southern African Development Community"],
        ),
        # a fact the media report is no statement of the media's state
        ("Far-right ministers voted against the deal, according to Israeli media.", []),
    ],
)
def test_heads_of_state_and_media_reports(finder, text, expected):
    assert [s["speaker"] for s in finder(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a title that only refers to its body ("A spokesman", "The group's spokesman") serves the body that just
        # spoke
        (
            "The TPLF said it had made concessions. The group's spokesman, Getachew Reda, said the deal was not "
            "perfect.",
            [("TPLF", None), ("Getachew Reda", "TPLF")],
        ),
        (
            "A spokesman for U.N. Secretary-General Antonio Guterres said he was alarmed.",
            [("Antonio Guterres", None)],
        ),
    ],
)
def test_a_spokesman_of_the_body_that_just_spoke(finder, text, expected):
    assert [(s["speaker"], s["on_behalf_of"]) for s in finder(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "Its"/"Their" before a title is the body that just spoke: the title then names that body's organ
        (
            'Qatar said it was "cautiously optimistic." Its foreign ministry spokesman, Majed al-Ansari, told a '
            "briefing that the gaps had narrowed.",
            [("Qatar", None), ("Majed al-Ansari", "Qatar's foreign ministry")],
        ),
        # with no body before it, the title is left as it is
        (
            "Its foreign ministry spokesman, Majed al-Ansari, told a briefing that the gaps had narrowed.",
            [("Majed al-Ansari", "Its foreign ministry")],
        ),
        # a long title set before a name by commas is the name's title, however many words the body has
        (
            "The acting head of the UN Support Mission in Libya (UNSMIL), Stephanie Williams, urged the rival camps "
            "to accept a ceasefire.",
            [("Stephanie Williams", "UNSMIL")],
        ),
        # a body the table knows whole, with "for" and "of" inside its name, is whom its spokesperson speaks for
        (
            "A spokesperson for the U.N. Office for the Coordination of Humanitarian Affairs, Jens Laerke, said aid "
            "convoys had been blocked for weeks.",
            [("Jens Laerke", "U.N. Office for the Coordination of Humanitarian Affairs")],
        ),
        # a state word before the leader's title says whose office it is; a pronoun after it keeps the leader
        (
            "Ethiopian Prime Minister Abiy Ahmed's office said the talks had been frank. It added that Ethiopia "
            "sought access to the sea.",
            [("Ethiopia's Prime Minister's Office", "Abiy Ahmed")] * 2,
        ),
        (
            "Ukrainian President Volodymyr Zelenskiy's office said the talks had been frank.",
            [("Ukraine's presidency", "Volodymyr Zelenskiy")],
        ),
        # an army's spokesperson, a rank between title and name, speaks for the armed forces of the story's state
        (
            "Uganda deployed troops to the border on Monday.\n\nArmy spokesman Maj. Felix Kulayigye said the troops "
            'would stay. "We are not leaving," he said.',
            [("Felix Kulayigye", "Uganda People's Defence Force")] * 2,
        ),
        # a pronoun continuing a government spokesman keeps whom he speaks for
        (
            "Kenya sent police to Haiti.\n\nGovernment spokesman Isaac Mwaura said the mission was lawful. He said "
            "the officers would stay a year.",
            [("Isaac Mwaura", "Kenya")] * 2,
        ),
    ],
)
def test_whom_a_speaker_speaks_for(finder, text, expected):
    assert [(s["speaker"], s["on_behalf_of"]) for s in finder(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # wire copy names its best-known people by surname alone; a pronoun or a title after one continues them
        (
            "Olusegun Obasanjo, the AU envoy, said the truce was holding.\n\nLavrov, speaking alongside his Turkish "
            "counterpart in Antalya, said Russia was open to talks. He did not say when they might begin.",
            ["Olusegun Obasanjo", "Lavrov", "Lavrov"],
        ),
        (
            'Its foreign ministry spokesman, Majed al-Ansari, said the gaps had narrowed.\n\n"It is time for the guns '
            'to fall silent," Guterres told the Security Council. The U.N. chief added that aid must get through.',
            ["Majed al-Ansari", "Guterres", "Guterres"],
        ),
        # a body the table knows is no person, however short its name
        (
            "Olusegun Obasanjo said the truce was holding.\n\nHamas said it would study the proposal. He said the "
            "talks would resume.",
            ["Olusegun Obasanjo", "Hamas", "Olusegun Obasanjo"],
        ),
    ],
)
def test_a_person_named_by_surname_alone(finder, text, expected):
    assert [s["speaker"] for s in finder(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a spokesperson or negotiator of "the government" speaks for the state the story is about
        (
            "Colombia's government and the ELN agreed to extend the ceasefire. Government negotiator Vera Grabe said "
            "the extension was a sign of confidence.",
            ("Vera Grabe", "Colombia"),
        ),
        (
            "Burundi rejected the plan on Friday.\n\nThe government's chief spokesman, Philippe Nzobonariba, said "
            "troops sent without consent would be treated as invaders.",
            ("Philippe Nzobonariba", "Burundi"),
        ),
    ],
)
def test_a_government_spokesman_speaks_for_the_state_of_the_story(finder, text, expected):
    assert (finder(text)[-1]["speaker"], finder(text)[-1]["on_behalf_of"]) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an agency, office, mission or force speaks for its organisation; a deciding organ speaks for itself
        ("The U.N. refugee agency said 40,000 people had crossed the border.", ("UNHCR", "United Nations")),
        ("KFOR said its troops had been attacked near Zvecan.", ("KFOR", "NATO")),
        (
            "The African Union Commission urged the parties to return to talks.",
            ("African Union Commission", "African Union"),
        ),
        ("The U.N. Security Council called for an immediate ceasefire.", ("UN Security Council", None)),
        (
            "The International Court of Justice said Israel must halt its offensive.",
            ("International Court of Justice", None),
        ),
    ],
)
def test_an_agency_speaks_for_its_organisation(finder, text, expected):
    found = finder(text)[0]
    assert ((found["actor"] or {}).get("id", found["speaker"]), found["on_behalf_of"]) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a state's government, or an unnamed official of it, is the state itself and speaks for no one else
        ("Iraq's government said the Turkish troops must leave.", None),
        ("A senior Turkish official said Ankara had no plans to pause the operation.", None),
        # a ministry still speaks for its state, and an official of a body for the body
        ("Azerbaijan's Defence Ministry said Armenian forces had shelled Ganja.", "Azerbaijan"),
        ("Redur Xelil, a senior SDF official, said the force had lost thousands of fighters.", "SDF"),
    ],
)
def test_a_state_is_not_its_own_principal(finder, text, expected):
    assert finder(text)[0]["on_behalf_of"] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a title that only refers to its body ("the guerrillas' chief negotiator", "the group's chief negotiator")
        # serves the body named last when no body spoke just before: an armed group for "the guerrillas'"
        (
            "The FARC left the demilitarised zone on Sunday. Raul Reyes, the guerrillas' chief negotiator, told "
            "Caracol radio that the talks were over.",
            ("Raul Reyes", "FARC"),
        ),
        (
            "The Houthis attacked another ship. Mohammed Abdulsalam, the group's chief negotiator and spokesman, "
            "told Al Jazeera that the attacks would go on.",
            ("Mohammed Abdulsalam", "Houthis"),
        ),
        # a named body's spokesperson is that body's, not the body named before it
        (
            "The Izz el-Deen al-Qassam Brigades claimed the attack. Sami Abu Zuhri, a Hamas spokesman in Gaza, told "
            "The Associated Press that any deal starts with opening the crossings.",
            ("Sami Abu Zuhri", "Hamas"),
        ),
    ],
)
def test_a_title_referring_to_the_body_named_last(finder, text, expected):
    found = finder(text)[-1]
    assert (found["speaker"], found["on_behalf_of"]) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # who a delegation's head, a UN coordinator or a body's chair speaks for, from the title after the name
        ("Kabineh Ja'neh, who heads the LURD delegation, said his movement would respect the ceasefire.", "LURD"),
        ("Vladimir Medinsky, who led the Russian delegation, said the talks had been constructive.", "Russia"),
        ("Lise Grande, the U.N. humanitarian coordinator for Yemen, told Reuters the port must stay open.", "UN"),
        ("William Ruto, who chairs the East African Community, said he would convene a summit.", "EAC"),
        # a leader of an alliance speaks for himself, and "-led" is no title
        (
            "Jimmy Cherizier, a former police officer who leads the Viv Ansanm gang coalition, said his fighters "
            "would resist.",
            None,
        ),
        (
            'The U.N. special envoy on Myanmar, Julie Bishop, wrote on X that any process had to be "Myanmar-led and '
            'inclusive," and called for an end to air strikes.',
            "U.N.",
        ),
    ],
)
def test_whom_a_title_after_the_name_serves(finder, text, expected):
    assert finder(text)[0]["on_behalf_of"] == expected
