// Dutch (B1) for everything dmn-js shows in the proceseigenaar's DMN editor, in the shape of the BPMN
// modeler's web/modeler/translations.js: English text as dmn-js passes it to translate() -> Dutch.
// The keys come from the translate() calls in node_modules/dmn-js/dist/dmn-modeler.development.js,
// plus what dmn-js translates by variable: hit policies and their explanations, data types, the
// DRD's "change type" menu and the id checks. `hardCoded` holds the few texts dmn-js 17 never
// passes through translate(); decision-table-editor.js swaps those in the page.
window.zvtDmnDutch = {
  texts: {
    // The schema of decisions (DRD): tools on the left, tools beside a chosen element
    "Activate hand tool": "Hand: het schema verschuiven",
    "Activate lasso tool": "Lasso: meer onderdelen tegelijk kiezen",
    "Create decision": "Beslissing maken",
    "Create input data": "Invoergegevens maken",
    "Create knowledge model": "Kennismodel maken (kennis die meer beslissingen gebruiken)",
    "Create knowledge source": "Kennisbron maken (bijvoorbeeld een wet of het convenant)",
    "Append decision": "Beslissing toevoegen en verbinden",
    "Append input data": "Invoergegevens toevoegen en verbinden",
    "Append knowledge source": "Kennisbron toevoegen en verbinden",
    "Append business knowledge model": "Kennismodel toevoegen en verbinden",
    "Add text annotation": "Notitie toevoegen",
    "Connect to other element": "Met een ander onderdeel verbinden",
    "Change type": "Soort veranderen",
    "Delete": "Verwijderen",
    "Search in diagram": "Zoeken in het schema",
    "Open decision table": "Beslistabel openen",
    "Open literal expression": "Uitdrukking openen",
    "Definition name": "Naam van het schema",
    "Definition ID": "Id van het schema",
    "Empty": "Leeg",
    "Decision table": "Beslistabel",
    "Literal expression": "Losse uitdrukking (één formule)",
    "Literal Expression": "Losse uitdrukking (één formule)",
    "Element must have ID.": "Vul een id in.",
    "Element must have unique ID.": "Dit id bestaat al. Kies een ander.",
    "Id must not contain spaces.": "Een id heeft geen spaties.",
    "Id must not contain prefix.": "Een id heeft geen voorvoegsel met een dubbele punt.",
    "Id must be a valid QName.": "Een id begint met een letter en heeft alleen letters, cijfers en _.",

    // The decision table: its head
    "View DRD": "Naar het schema van beslissingen (DRD)",
    "Decision name": "Naam van de beslissing",
    "Decision name: ": "Naam van de beslissing: ",
    "Hit policy": "Welke regel telt",
    "Hit policy:": "Welke regel telt:",
    "When": "Als", "And": "En", "Then": "Dan",
    "Input": "Invoer", "Output": "Uitkomst",
    "Annotation": "Notitie", "Annotations": "Notities",
    "Add input": "Invoer toevoegen", "Add output": "Uitkomst toevoegen",
    "Input label: ": "Naam van de invoer: ", "Output label: ": "Naam van de uitkomst: ",
    "Input type": "Soort invoer", "Output type": "Soort uitkomst",
    "Input values": "Mogelijke waarden van de invoer", "Output values": "Mogelijke waarden van de uitkomst",
    "Resize": "Breder of smaller maken (slepen)",
    "Move rule": "Regel verplaatsen (slepen)",
    "Add rule": "Regel toevoegen",

    // Hit policy: which rule counts when more rules fit
    "Unique": "Uniek: maar één regel past",
    "First": "Eerste: de bovenste regel die past",
    "Priority": "Voorrang: de regel met de hoogste voorrang",
    "Any": "Elke: passende regels geven hetzelfde",
    "Collect": "Verzamelen: alle regels die passen",
    "Collect (Sum)": "Verzamelen en optellen",
    "Collect (Min)": "Verzamelen, de laagste waarde",
    "Collect (Max)": "Verzamelen, de hoogste waarde",
    "Collect (Count)": "Verzamelen en tellen",
    "Rule order": "Lijst, in de volgorde van de regels",
    "Output order": "Lijst, in de volgorde van de uitkomsten",
    "No overlap is possible and all rules are disjoint. Only a single rule can be matched":
      "Er past altijd maar één regel. Regels mogen elkaar niet overlappen.",
    "Rules may overlap. The first matching rule will be chosen":
      "Meer regels mogen passen. De bovenste regel die past, telt.",
    "Rules may overlap. The one with the highest priority will be chosen":
      "Meer regels mogen passen. De regel met de hoogste voorrang telt.",
    "Rules may overlap. Their output have to match":
      "Meer regels mogen passen, maar dan moeten ze dezelfde uitkomst geven.",
    "Collects the values of all matching rules":
      "De uitkomsten van alle regels die passen, komen in een lijst.",
    "Collects the values of all matching rules and sums up to a single value":
      "De uitkomsten van alle regels die passen, worden opgeteld.",
    "Collects the values of all matching rules and uses the lowest value":
      "Van alle regels die passen, telt de laagste uitkomst.",
    "Collects the values of all matching rules and uses the highest value":
      "Van alle regels die passen, telt de hoogste uitkomst.",
    "Collects the values of all matching rules and counts the number of them":
      "De uitkomst is het aantal regels dat past.",
    "Collects the values of all matching rules in rule order":
      "De uitkomsten van alle regels die passen, in de volgorde van de regels.",
    "Collects the values of all matching rules in decreasing output priority order":
      "De uitkomsten van alle regels die passen, de belangrijkste uitkomst eerst.",

    // Kinds of value (typeRef): the file keeps the English name; the editor shows the Dutch with it,
    // as the field of the input or output still shows what the file holds
    "string": "tekst (string)", "boolean": "ja of nee (boolean)", "number": "getal (number)",
    "integer": "heel getal (integer)", "long": "groot heel getal (long)", "double": "getal met komma (double)",
    "date": "datum (date)", "time": "tijd (time)", "dateTime": "datum en tijd (dateTime)",
    "dayTimeDuration": "duur in dagen en uren (dayTimeDuration)",
    "yearMonthDuration": "duur in jaren en maanden (yearMonthDuration)",

    // Menus on a rule, a column and a cell (right mouse button)
    "Add rule above": "Regel erboven toevoegen", "Add rule below": "Regel eronder toevoegen",
    "Remove rule": "Regel verwijderen", "Copy rule": "Regel kopiëren", "Cut rule": "Regel knippen",
    "Paste rule above": "Regel erboven plakken", "Paste rule below": "Regel eronder plakken",
    "Add input column left": "Invoer links toevoegen", "Add input column right": "Invoer rechts toevoegen",
    "Add output column left": "Uitkomst links toevoegen", "Add output column right": "Uitkomst rechts toevoegen",
    "Copy input column": "Invoer kopiëren", "Cut input column": "Invoer knippen",
    "Paste input column left": "Invoer links plakken", "Paste input column right": "Invoer rechts plakken",
    "Remove input column": "Invoer verwijderen",
    "Copy output column": "Uitkomst kopiëren", "Cut output column": "Uitkomst knippen",
    "Paste output column left": "Uitkomst links plakken", "Paste output column right": "Uitkomst rechts plakken",
    "Remove output column": "Uitkomst verwijderen",
    "Add cell description": "Uitleg bij deze cel toevoegen",
    "Remove cell description": "Uitleg bij deze cel weghalen",
    "Change cell expression language": "Taal van deze cel veranderen",

    // Changing an input or output (click its name)
    "Edit input": "Invoer aanpassen", "Edit output": "Uitkomst aanpassen",
    "Input label": "Naam van de invoer", "Output label": "Naam van de uitkomst",
    "Expression": "Uitdrukking (Python): wat de tabel bekijkt",
    "Input expression": "Uitdrukking (Python)", "Input expression: ": "Uitdrukking (Python): ",
    "Enter expression": "Typ hier de uitdrukking in Python",
    "Output name": "Naam in de casus", "Output name: ": "Naam in de casus: ",
    "Type": "Soort",
    "Expression language": "Taal van de uitdrukking", "Expression language:": "Taal van de uitdrukking:",
    "Expression language: {expressionLanguageLabel}": "Taal van de uitdrukking: {expressionLanguageLabel}",
    "Editing not supported for set expression language":
      "Met hulp aanpassen kan niet in deze taal. Typ de uitdrukking zelf in de cel.",
    "Predefined values": "Vaste waarden", "Custom values": "Eigen waarden",
    "Add predefined values": "Vaste waarden toevoegen", "Clear predefined values": "Vaste waarden weghalen",
    "\"value\"": "\"waarde\"", "\"value\", \"value\", ...": "\"waarde\", \"waarde\", ...",
    "Add values": "Waarden toevoegen", "No values": "Geen waarden",
    "Values": "Waarden", "Value": "Waarde", "Yes": "Ja", "No": "Nee", "Edit": "Aanpassen",

    // Filling in a cell with help (the simple mode; dmn-js offers it for FEEL cells)
    "Edit string": "Tekst aanpassen", "Edit boolean": "Ja of nee aanpassen", "Edit number": "Getal aanpassen",
    "Edit date": "Datum aanpassen", "Edit date and time": "Datum en tijd aanpassen", "Edit time": "Tijd aanpassen",
    "Edit duration": "Duur aanpassen",
    "Edit start date": "Begindatum aanpassen", "Edit end date": "Einddatum aanpassen",
    "Edit start date and time": "Begin (datum en tijd) aanpassen", "Edit end date and time": "Einde (datum en tijd) aanpassen",
    "Edit start time": "Begintijd aanpassen", "Edit end time": "Eindtijd aanpassen",
    "Match one": "Past bij een van deze", "Match none": "Past bij geen van deze",
    "Include": "Met deze waarde", "Exclude": "Zonder deze waarde",
    "Strings must be in double quotes": "Zet tekst tussen dubbele aanhalingstekens (\").",
    "Boolean value": "Ja of nee", "String value": "Tekst", "Date value": "Datum",
    "Date and time value": "Datum en tijd", "Time value": "Tijd", "Duration value": "Duur",
    "Test type": "Soort vergelijking", "Comparison": "Vergelijken", "Range": "Tussen twee waarden",
    "Comparison operator": "Vergelijking", "Equals": "Is gelijk aan", "Less": "Kleiner dan",
    "Less or equals": "Kleiner dan of gelijk aan", "Greater": "Groter dan",
    "Greater or equals": "Groter dan of gelijk aan",
    "Range start operator": "Begin: met of zonder de beginwaarde", "Range end operator": "Einde: met of zonder de eindwaarde",
    "Range start value": "Beginwaarde", "Range end value": "Eindwaarde",
    "Start value": "Beginwaarde", "End value": "Eindwaarde",
    "Exactly": "Precies op", "Before": "Voor", "After": "Na", "Between": "Tussen",
    "Date": "Datum", "Date and time": "Datum en tijd", "Time": "Tijd",
    "Start date": "Begindatum", "End date": "Einddatum",
    "Start date and time": "Begin (datum en tijd)", "End date and time": "Einde (datum en tijd)",
    "Start time": "Begintijd", "End time": "Eindtijd",
    "Set date": "Datum kiezen", "Set date and time": "Datum en tijd kiezen", "Set time": "Tijd kiezen",
    "Set duration": "Duur kiezen", "Set value": "Waarde kiezen", "Use today": "Vandaag", "Use now": "Nu",
    "e.g. { sample }": "bijvoorbeeld {sample}", "e.g. { example } ": "bijvoorbeeld {example}",
    "Date must match pattern yyyy-MM-dd": "Schrijf een datum als jjjj-mm-dd.",
    "Date and time must match pattern yyyy-MM-ddTHH:mm:ss[time zone]":
      "Schrijf datum en tijd als jjjj-mm-ddTuu:mm:ss (met tijdzone als u die weet).",
    "Time must match pattern hh:mm:ss[time zone]": "Schrijf een tijd als uu:mm:ss (met tijdzone als u die weet).",
    "Must match PnYnM": "Schrijf een duur als PnYnM, bijvoorbeeld P1Y2M.",
    "Must match PnDTnH": "Schrijf een duur als PnDTnH, bijvoorbeeld P1DT2H.",

    // A decision that is one formula (literal expression) or a knowledge model (boxed expression)
    "Literal expression editor": "Uitdrukking", "Variable name": "Naam van de uitkomst",
    "Variable name:": "Naam van de uitkomst:", "Variable type": "Soort uitkomst", "Variable type:": "Soort uitkomst:",
    "name": "naam", "Element name": "Naam", "Kind": "Soort functie", "Function kind: {kind}": "Soort functie: {kind}",
    "Edit function kind": "Soort functie aanpassen", "Edit formal parameters": "Parameters aanpassen",
    "Add parameter": "Parameter toevoegen", "Remove parameter": "Parameter weghalen"
  },
  // Texts dmn-js 17 writes without translate(): exact English -> Dutch, for the attributes and the
  // text of these elements only, so that nothing the proceseigenaar typed is ever changed.
  hardCoded: {
    attributes: ["title", "aria-label", "placeholder"],
    texts: ".dms-heading, .element-variable h2, .element-variable-type-label, .formal-parameters th",
    dutch: {
      "Decision table context menu": "Menu van de beslistabel",
      "Move Input": "Invoer verplaatsen (slepen)", "Move Output": "Uitkomst verplaatsen (slepen)",
      "Remove item": "Weghalen", "Powered by bpmn.io": "Gemaakt met bpmn.io",
      "Search": "Zoeken", "Results": "Resultaten", "Open entry documentation": "Uitleg openen",
      "Value": "Waarde", "Result": "Uitkomst", "Result type": "Soort uitkomst", "Name": "Naam", "Type": "Soort"
    }
  }
};
