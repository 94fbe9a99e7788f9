"""O*NET-SOC codes and the SOC major groups they belong to."""

from django.core.validators import RegexValidator

SOC_CODE_PATTERN = r"\d{2}-\d{4}\.\d{2}"

SOC_CODE_VALIDATOR = RegexValidator(
    rf"^{SOC_CODE_PATTERN}$", "Enter an O*NET-SOC code such as 41-3021.00."
)

# The 23 major groups of the 2018 Standard Occupational Classification.
MAJOR_GROUPS = {
    "11": "Management",
    "13": "Business and Financial Operations",
    "15": "Computer and Mathematical",
    "17": "Architecture and Engineering",
    "19": "Life, Physical, and Social Science",
    "21": "Community and Social Service",
    "23": "Legal",
    "25": "Educational Instruction and Library",
    "27": "Arts, Design, Entertainment, Sports, and Media",
    "29": "Healthcare Practitioners and Technical",
    "31": "Healthcare Support",
    "33": "Protective Service",
    "35": "Food Preparation and Serving Related",
    "37": "Building and Grounds Cleaning and Maintenance",
    "39": "Personal Care and Service",
    "41": "Sales and Related",
    "43": "Office and Administrative Support",
    "45": "Farming, Fishing, and Forestry",
    "47": "Construction and Extraction",
    "49": "Installation, Maintenance, and Repair",
    "51": "Production",
    "53": "Transportation and Material Moving",
    "55": "Military Specific",
}
