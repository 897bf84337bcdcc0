"""The United Nations' short names of the States whose common name (CLDR's) is not the one the treaty record uses.

Source: the UN Terminology Database (UNTERM, unterm.un.org), "short name" of each Member or non-member observer
State in French, Spanish, Arabic, Russian and Chinese, as in the UN Treaty Collection's depositary records. Only
the names the portal is sure of are here; every other language falls back to CLDR (``parties.names``). An ISU
admin can change any of them on the State's page in the admin; these are the first values only (the data
migration 0005 and a State newly imported from the treaty record get them).
"""

UN_SHORT_NAMES: dict[str, dict[str, str]] = {
    # CLDR: "Congo-Brazzaville", "الكونغو - برازافيل", "Конго - Браззавиль", "刚果（布）".
    "COG": {"fr": "Congo", "ar": "الكونغو", "ru": "Конго", "zh-hans": "刚果"},
    # CLDR: "Congo-Kinshasa", "الكونغو - كينشاسا", "Конго - Киншаса", "刚果（金）".
    "COD": {
        "fr": "République démocratique du Congo",
        "ar": "جمهورية الكونغو الديمقراطية",
        "ru": "Демократическая Республика Конго",
        "zh-hans": "刚果民主共和国",
    },
    # CLDR: "État de la Cité du Vatican", "Ciudad del Vaticano", "الفاتيكان", "Ватикан", "梵蒂冈".
    "VAT": {"fr": "Saint-Siège", "es": "Santa Sede", "ar": "الكرسي الرسولي", "ru": "Святой Престол", "zh-hans": "教廷"},
    # CLDR: "Territoires palestiniens" and the like (a territory, not the State that acceded).
    "PSE": {
        "fr": "État de Palestine",
        "es": "Estado de Palestina",
        "ar": "دولة فلسطين",
        "ru": "Государство Палестина",
        "zh-hans": "巴勒斯坦国",
    },
    # CLDR: "Cap-Vert", "الرأس الأخضر" (the UN has used "Cabo Verde" in every language since 2013).
    "CPV": {"fr": "Cabo Verde", "ar": "كابو فيردي"},
    # CLDR: "ساحل العاج" (the UN keeps the State's own name).
    "CIV": {"ar": "كوت ديفوار"},
    # CLDR: "Laos" and the like.
    "LAO": {
        "fr": "République démocratique populaire lao",
        "es": "República Democrática Popular Lao",
        "ar": "جمهورية لاو الديمقراطية الشعبية",
        "ru": "Лаосская Народно-Демократическая Республика",
        "zh-hans": "老挝人民民主共和国",
    },
    # CLDR: "Bolivie", "Bolivia", "Боливия", "玻利维亚" (Arabic left to CLDR: not sure of the UN's punctuation).
    "BOL": {
        "fr": "Bolivie (État plurinational de)",
        "es": "Bolivia (Estado Plurinacional de)",
        "ru": "Боливия (Многонациональное Государство)",
        "zh-hans": "多民族玻利维亚国",
    },
    # CLDR: "Tanzanie", "Tanzania", "تنزانيا", "Танзания", "坦桑尼亚".
    "TZA": {
        "fr": "République-Unie de Tanzanie",
        "es": "República Unida de Tanzanía",
        "ar": "جمهورية تنزانيا المتحدة",
        "ru": "Объединенная Республика Танзания",
        "zh-hans": "坦桑尼亚联合共和国",
    },
    # CLDR: "Moldavie", "Moldavia", "مولدوفا", "Молдова", "摩尔多瓦".
    "MDA": {
        "fr": "République de Moldova",
        "es": "República de Moldova",
        "ar": "جمهورية مولدوفا",
        "ru": "Республика Молдова",
        "zh-hans": "摩尔多瓦共和国",
    },
    # CLDR: "Royaume-Uni", "Reino Unido", "المملكة المتحدة", "Великобритания", "英国".
    "GBR": {
        "fr": "Royaume-Uni de Grande-Bretagne et d'Irlande du Nord",
        "es": "Reino Unido de Gran Bretaña e Irlanda del Norte",
        "ar": "المملكة المتحدة لبريطانيا العظمى وأيرلندا الشمالية",
        "ru": "Соединенное Королевство Великобритании и Северной Ирландии",
        "zh-hans": "大不列颠及北爱尔兰联合王国",
    },
    # CLDR abbreviates "острова": "о-ва Кука", "Сейшельские о-ва".
    "COK": {"ru": "Острова Кука"},
    "SYC": {"ru": "Сейшельские Острова"},
}
