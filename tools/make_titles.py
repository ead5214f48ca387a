"""Write ``skillenai/classify/data/roles/titles.csv`` (title,role): labelled job titles.

Each role family has titles as real boards write them (abbreviations, specialisations,
other languages); the script adds the decorations real titles carry — seniority, levels,
"(m/f/d)", locations, "- Remote", requisition ids — with a fixed seed, so the file is the
same on every run. ``Other`` rows are jobs outside the 36 families (they teach the model
to say "none of these")::

    python -m tools.make_titles
"""

from __future__ import annotations

import csv
import random

from skillenai.classify.resources import CLASSIFY_DATA

OUT = CLASSIFY_DATA / "roles" / "titles.csv"

FAMILIES: dict[str, list[str]] = {
    "Backend Engineer": [
        "Backend Engineer", "Back-End Engineer", "Back End Developer", "Backend Developer", "Backend Software Engineer",
        "Software Engineer, Backend", "Software Engineer - Backend", "Software Engineer II - Backend (Go)",
        "Sr. SWE, Payments Infra", "SWE, Payments", "Software Engineer, Payments", "Server-Side Engineer",
        "API Engineer", "Java Developer", "Java Software Engineer", "Python Developer", "Python Backend Engineer",
        "Go Engineer", "Golang Developer", "Node.js Developer", "Node.js Backend Engineer", "Ruby on Rails Developer",
        "Ruby Engineer", "PHP Developer", "Laravel Developer", ".NET Developer", "C# Developer", "C# .NET Engineer",
        "Scala Engineer", "Kotlin Backend Engineer", "Rust Engineer", "Elixir Developer", "Django Developer",
        "Spring Boot Developer", "Microservices Engineer", "Distributed Systems Engineer", "Software Engineer",
        "Software Developer", "Software Development Engineer", "SDE II", "SDE III", "SWE", "Software Engineer II",
        "Software Engineer, Core Services", "Software Engineer, Billing", "Software Engineer, Checkout",
        "Software Engineer, Search Backend", "Software Engineer, Ads Backend", "Software Engineer, Identity",
        "Software Engineer, APIs", "Backend Engineer, Growth", "Backend Engineer (Python/Django)",
        "Backend Engineer - Kotlin", "Java Backend Developer", "Senior Java Engineer - Trading Systems",
        "C++ Software Engineer, Low Latency", "Softwareentwickler Backend", "Backend-Entwickler Java (m/w/d)",
        "Développeur Backend", "Ingénieur Logiciel Backend", "Desarrollador Backend", "Programmer", "Software Programmer",
        "Application Developer", "Web Services Developer", "Integration Engineer", "Erlang Developer",
        "Software Engineer, Platform APIs", "Software Engineer, Messaging", "Member of Technical Staff",
    ],
    "Frontend Engineer": [
        "Frontend Engineer", "Front-End Engineer", "Front End Developer", "Frontend Developer",
        "Software Engineer, Frontend", "Software Engineer - Front End", "UI Engineer", "UI Developer",
        "React Developer", "React Engineer", "React.js Developer", "Angular Developer", "Vue.js Developer",
        "JavaScript Developer", "JavaScript Engineer", "TypeScript Engineer", "Web Developer", "Web UI Developer",
        "Frontend Engineer, Design Systems", "Design Systems Engineer", "Frontend Engineer (React/TypeScript)",
        "Software Engineer, Web", "Web Engineer", "Frontend Architect", "Next.js Developer", "HTML/CSS Developer",
        "Frontend Engineer - Growth", "Software Engineer, Web Platform", "Frontend-Entwickler (m/w/d)",
        "Développeur Front-End", "Desarrollador Frontend", "Web Application Developer", "Svelte Developer",
        "User Interface Engineer", "Frontend Engineer, Checkout", "Ember.js Engineer", "Web Performance Engineer",
        "Creative Technologist", "WordPress Developer", "Shopify Developer",
    ],
    "Full-Stack Engineer": [
        "Full Stack Engineer", "Full-Stack Engineer", "Fullstack Developer", "Full Stack Developer",
        "Software Engineer, Full Stack", "Software Engineer - Fullstack", "Full Stack Software Engineer",
        "Full-Stack Web Developer", "MERN Stack Developer", "MEAN Stack Developer", "Full Stack JavaScript Developer",
        "Full Stack Engineer (React/Node)", "Full Stack Engineer, Python/React", "Full Stack .NET Developer",
        "Full Stack Java Developer", "Full Stack Rails Engineer", "Product Engineer", "Software Engineer, Product",
        "Full Stack Engineer - Growth", "Full-Stack Developer (TypeScript)", "Fullstack-Entwickler (m/w/d)",
        "Développeur Full Stack", "Desarrollador Full Stack", "Full Stack Engineer, Internal Tools",
        "Generalist Software Engineer", "Founding Full Stack Engineer", "Full Stack PHP Developer",
        "Full Stack Developer - Django/React", "Software Engineer (Full-Stack)", "Full Stack Product Engineer",
    ],
    "Mobile Engineer": [
        "Mobile Engineer", "Mobile Developer", "iOS Engineer", "iOS Developer", "Android Engineer",
        "Android Developer", "Software Engineer, iOS", "Software Engineer, Android", "Software Engineer - Mobile",
        "React Native Developer", "React Native Engineer", "Flutter Developer", "Flutter Engineer",
        "Mobile Software Engineer", "Swift Developer", "Kotlin Android Developer", "Mobile App Developer",
        "iOS Engineer, Payments", "Android Engineer - Growth", "Mobile Engineer (iOS/Android)",
        "Mobile Application Developer", "Xamarin Developer", "iOS-Entwickler (m/w/d)", "Développeur iOS",
        "Desarrollador Android", "Mobile Platform Engineer", "Cross-Platform Mobile Engineer",
        "Software Engineer, Mobile Infrastructure", "Apple Platforms Engineer", "Android SDK Engineer",
    ],
    "Data Engineer": [
        "Data Engineer", "Big Data Engineer", "ETL Developer", "ETL Engineer", "Analytics Engineer",
        "Data Platform Engineer", "Data Infrastructure Engineer", "Software Engineer, Data", "Spark Engineer",
        "Data Pipeline Engineer", "Data Warehouse Engineer", "Data Warehouse Developer", "Snowflake Data Engineer",
        "Azure Data Engineer", "AWS Data Engineer", "GCP Data Engineer", "Databricks Engineer",
        "Data Engineer, Analytics", "Data Engineer - Streaming", "Kafka Engineer", "dbt Developer",
        "Data Integration Engineer", "Informatica Developer", "Hadoop Developer", "Data Engineer II",
        "Datenengineer (m/w/d)", "Data Engineer (Python, Airflow)", "Ingénieur Data", "Ingeniero de Datos",
        "Data Ops Engineer", "DataOps Engineer", "Lakehouse Engineer", "Data Modeler", "Data Architect",
        "Software Engineer, Data Infrastructure", "Data Engineer - Machine Learning Platform",
    ],
    "Data Scientist": [
        "Data Scientist", "Data Scientist II", "Senior Data Scientist, Growth", "Data Scientist, Product",
        "Product Data Scientist", "Data Scientist - Marketing Analytics", "Decision Scientist", "Applied Scientist",
        "Quantitative Analyst", "Quant Researcher", "Statistician", "Biostatistician", "Data Science Manager",
        "Data Scientist (NLP)", "Data Scientist, Experimentation", "Data Scientist, Risk", "Data Scientist - Pricing",
        "Data Science Intern", "Werkstudent Data Science (m/w/d)", "Data Scientist, Forecasting",
        "Data Scientist - Causal Inference", "Econometrician", "Data Scientist, Fraud", "Research Data Scientist",
        "Data Scientist, Healthcare", "Data Scientist (Python/SQL)", "Scientifique des données",
        "Científico de Datos", "Lead Data Scientist", "Data Science Lead", "Actuarial Data Scientist",
        "Data Scientist, Trust & Safety", "Data Scientist - Supply Chain",
    ],
    "Data Analyst": [
        "Data Analyst", "Business Intelligence Analyst", "BI Analyst", "BI Developer", "Power BI Developer",
        "Tableau Developer", "Reporting Analyst", "Analytics Analyst", "Product Analyst", "Marketing Data Analyst",
        "Data Analyst II", "Data Analyst, Operations", "Insights Analyst", "Data & Insights Analyst",
        "SQL Analyst", "Junior Data Analyst", "Werkstudent Data Analytics (m/w/d)", "Data Analytics Intern",
        "Healthcare Data Analyst", "Financial Data Analyst", "People Analytics Analyst", "Growth Analyst",
        "Analytics Manager", "BI Manager", "Datenanalyst (m/w/d)", "Analyste de données", "Analista de Datos",
        "Data Visualization Analyst", "Looker Developer", "Business Intelligence Developer", "Web Analyst",
        "Digital Analytics Specialist", "Sales Analyst", "Pricing Analyst", "Data Quality Analyst",
    ],
    "Machine Learning Engineer": [
        "Machine Learning Engineer", "ML Engineer", "Senior ML Engineer", "AI Engineer", "MLOps Engineer",
        "Deep Learning Engineer", "Computer Vision Engineer", "NLP Engineer", "LLM Engineer",
        "Staff Software Engineer, ML Platform", "Software Engineer, Machine Learning", "Software Engineer - ML",
        "Machine Learning Platform Engineer", "ML Infrastructure Engineer", "Applied ML Engineer",
        "Machine Learning Engineer, Recommendations", "Machine Learning Engineer - Search Ranking",
        "Generative AI Engineer", "GenAI Engineer", "AI/ML Engineer", "Perception Engineer",
        "Machine Learning Engineer, Ads", "Speech Recognition Engineer", "Conversational AI Engineer",
        "Machine Learning Scientist", "ML Ops Engineer", "KI-Engineer (m/w/d)", "Ingénieur Machine Learning",
        "Ingeniero de Machine Learning", "AI Developer", "Prompt Engineer", "Inference Engineer",
        "Software Engineer, Model Serving", "Machine Learning Engineer, Fraud Detection", "Robotics ML Engineer",
    ],
    "Site Reliability / DevOps Engineer": [
        "Site Reliability Engineer", "SRE", "DevOps Engineer", "Platform Engineer", "Infrastructure Engineer",
        "Cloud Engineer", "Cloud Infrastructure Engineer", "AWS Cloud Engineer", "Azure DevOps Engineer",
        "Kubernetes Engineer", "Production Engineer", "Build Engineer", "Release Engineer", "Build & Release Engineer",
        "CI/CD Engineer", "DevSecOps Engineer", "Systems Engineer, Infrastructure", "Linux Systems Engineer",
        "Software Engineer, Infrastructure", "Software Engineer - Developer Productivity", "Reliability Engineer",
        "Cloud Operations Engineer", "Terraform Engineer", "Observability Engineer", "Site Reliability Engineer, Database",
        "Platform Engineer - Kubernetes", "DevOps-Engineer (m/w/d)", "Ingénieur DevOps", "Ingeniero DevOps",
        "Infrastructure Engineer, Compute", "Storage Engineer", "Network Reliability Engineer",
        "Systems Reliability Engineer", "Cloud Platform Engineer", "Developer Experience Engineer",
    ],
    "Security Engineer": [
        "Security Engineer", "Application Security Engineer", "AppSec Engineer", "Product Security Engineer",
        "Cloud Security Engineer", "Information Security Engineer", "Cybersecurity Engineer", "Security Analyst",
        "SOC Analyst", "Cyber Security Analyst", "Penetration Tester", "Offensive Security Engineer",
        "Red Team Operator", "Detection Engineer", "Incident Response Analyst", "Threat Intelligence Analyst",
        "Security Architect", "Infrastructure Security Engineer", "Vulnerability Management Analyst",
        "IAM Engineer", "Identity and Access Management Engineer", "GRC Analyst", "Security Operations Engineer",
        "Malware Analyst", "IT-Security Engineer (m/w/d)", "Ingénieur Cybersécurité", "Ingeniero de Ciberseguridad",
        "Information Security Analyst", "Security Software Engineer", "Privacy Engineer", "Cryptography Engineer",
        "Security Engineer, Detection & Response",
    ],
    "QA / Test Engineer": [
        "QA Engineer", "Quality Assurance Engineer", "Test Engineer", "Software Test Engineer", "SDET",
        "Software Development Engineer in Test", "Test Automation Engineer", "QA Automation Engineer",
        "QA Analyst", "Manual QA Tester", "Software Tester", "Quality Engineer", "Performance Test Engineer",
        "QA Lead", "Test Lead", "Mobile QA Engineer", "Selenium Automation Tester", "Cypress Test Engineer",
        "Game Tester", "QA Tester", "Testautomatisierer (m/w/d)", "Softwaretester (m/w/d)", "Ingénieur QA",
        "Ingeniero QA", "Quality Assurance Analyst", "Test Analyst", "Verification Engineer, Software",
        "Automation Test Engineer", "QA Specialist", "Load Testing Engineer",
    ],
    "Embedded / Firmware Engineer": [
        "Embedded Software Engineer", "Firmware Engineer", "Embedded Engineer", "Embedded Systems Engineer",
        "Embedded Linux Engineer", "Firmware Developer", "Embedded C Developer", "Embedded C++ Engineer",
        "BSP Engineer", "Device Driver Engineer", "Linux Kernel Engineer", "RTOS Engineer", "Automotive Embedded Engineer",
        "AUTOSAR Engineer", "Embedded Software Developer", "Microcontroller Firmware Engineer", "IoT Firmware Engineer",
        "Embedded Software Engineer, Robotics", "Firmware Engineer - Wireless", "Bootloader Engineer",
        "Embedded-Softwareentwickler (m/w/d)", "Ingénieur Logiciel Embarqué", "Ingeniero de Firmware",
        "Embedded Systems Developer", "Firmware Engineer, Battery Management", "Embedded Software Engineer - Medical Devices",
        "Low-Level Software Engineer", "Systems Software Engineer, Firmware",
    ],
    "Hardware Engineer": [
        "Hardware Engineer", "Electrical Engineer", "Electronics Engineer", "PCB Design Engineer", "ASIC Design Engineer",
        "ASIC Verification Engineer", "FPGA Engineer", "FPGA Design Engineer", "Analog Design Engineer",
        "RF Engineer", "Mechanical Engineer", "Hardware Design Engineer", "Silicon Validation Engineer",
        "Physical Design Engineer", "Design Verification Engineer", "Power Electronics Engineer",
        "Hardware Test Engineer", "Signal Integrity Engineer", "Mechanical Design Engineer", "Optical Engineer",
        "Hardware Engineer, Sensors", "Electrical Engineer - Power Systems", "Hardware-Entwickler (m/w/d)",
        "Elektroingenieur (m/w/d)", "Ingénieur Électronique", "Ingeniero Electrónico", "Digital Design Engineer",
        "CPU Design Engineer", "GPU Hardware Engineer", "Thermal Engineer", "Hardware Systems Engineer",
        "Electronics Design Engineer", "Board Design Engineer",
    ],
    "Engineering Manager": [
        "Engineering Manager", "Software Engineering Manager", "Senior Engineering Manager", "Director of Engineering",
        "Head of Engineering", "Engineering Lead", "Software Development Manager", "Manager, Software Engineering",
        "Engineering Manager, Backend", "Engineering Manager - Mobile", "Engineering Manager, Data Platform",
        "Engineering Manager, ML", "Senior Director of Engineering", "Director, Software Engineering",
        "Head of Platform Engineering", "Head of Data Engineering", "Engineering Manager, Infrastructure",
        "Development Manager", "Team Lead Software Development", "Teamleiter Softwareentwicklung (m/w/d)",
        "Engineering Manager (m/f/d)", "Responsable Ingénierie", "Gerente de Ingeniería", "Manager, Site Reliability",
        "QA Manager", "IT Development Manager", "Engineering Manager, Payments", "Group Engineering Manager",
        "Head of Mobile Engineering", "Director of Software Development",
    ],
    "Solutions Architect": [
        "Solutions Architect", "Solution Architect", "Cloud Architect", "Enterprise Architect", "Technical Architect",
        "Software Architect", "AWS Solutions Architect", "Azure Solutions Architect", "Cloud Solutions Architect",
        "Integration Architect", "Salesforce Architect", "Application Architect", "Infrastructure Architect",
        "Principal Architect", "Solutions Architect, Data & AI", "Partner Solutions Architect",
        "IT Architect", "Lösungsarchitekt (m/w/d)", "Architecte Solutions", "Arquitecto de Soluciones",
        "Systems Architect", "Technical Solutions Architect", "Enterprise Solutions Architect", "SAP Architect",
        "Cloud Architect - GCP", "Solution Architect, Payments",
    ],
    "Database Administrator": [
        "Database Administrator", "DBA", "Oracle DBA", "SQL Server DBA", "PostgreSQL DBA", "MySQL DBA",
        "Database Engineer", "Database Reliability Engineer", "Database Administrator II", "Senior DBA",
        "Oracle Database Administrator", "MongoDB Administrator", "Database Specialist", "Database Developer",
        "SQL Database Administrator", "Cloud Database Engineer", "Datenbankadministrator (m/w/d)",
        "Administrateur Base de Données", "Administrador de Bases de Datos", "DB2 DBA", "Database Operations Engineer",
        "Production DBA", "Cassandra Database Engineer",
    ],
    "IT Support": [
        "IT Support Specialist", "Help Desk Technician", "Helpdesk Analyst", "Desktop Support Technician",
        "IT Technician", "IT Support Engineer", "Service Desk Analyst", "IT Specialist", "System Administrator",
        "Systems Administrator", "Network Administrator", "Network Engineer", "IT Administrator",
        "IT Support Analyst", "Technical Support Specialist (IT)", "IT Operations Specialist", "End User Support Technician",
        "Field Service Technician (IT)", "IT Manager", "IT Coordinator", "IT Systems Engineer", "Windows Administrator",
        "Microsoft 365 Administrator", "IT-Support (m/w/d)", "Fachinformatiker Systemintegration (m/w/d)",
        "Technicien Support Informatique", "Técnico de Soporte IT", "IT Support Intern", "Network Technician",
        "IT Help Desk Specialist", "Tier 2 Support Technician", "Jamf Administrator",
    ],
    "Research Scientist": [
        "Research Scientist", "Research Scientist, AI", "Research Engineer", "AI Research Scientist",
        "Machine Learning Researcher", "Research Scientist - NLP", "Research Scientist, Computer Vision",
        "Postdoctoral Researcher", "Postdoctoral Fellow", "Postdoc", "Staff Research Scientist", "Principal Scientist",
        "Scientist", "Senior Scientist", "Research Scientist, Computational Biology", "Computational Biologist",
        "Research Scientist, Robotics", "Research Fellow", "Scientist II, Protein Engineering", "Chemist",
        "Research Associate", "Physicist", "Research Scientist (Reinforcement Learning)", "Wissenschaftlicher Mitarbeiter (m/w/d)",
        "Chercheur", "Investigador", "Quantum Research Scientist", "Research Scientist, Alignment",
        "Applied Research Scientist", "Bioinformatics Scientist", "Materials Scientist", "Senior Research Scientist, LLMs",
    ],
    "Product Manager": [
        "Product Manager", "Senior Product Manager", "Product Owner", "Technical Product Manager",
        "Group Product Manager", "Director of Product", "Head of Product", "VP Product Management",
        "Product Manager, Payments", "Product Manager - Growth", "Product Manager, AI", "Associate Product Manager",
        "Principal Product Manager", "Product Lead", "Platform Product Manager", "Product Manager, Data",
        "Product Manager (m/w/d)", "Produktmanager (m/w/d)", "Chef de Produit", "Gerente de Producto", "PM, Search",
        "Product Manager II", "Product Manager, Mobile", "Senior PM, Checkout", "Product Owner (Scrum)",
        "Digital Product Manager", "Product Manager, API Platform", "Staff Product Manager", "Product Management Intern",
    ],
    "Project / Program Manager": [
        "Project Manager", "Program Manager", "Technical Program Manager", "TPM", "Senior Program Manager",
        "IT Project Manager", "Scrum Master", "Agile Coach", "Delivery Manager", "PMO Analyst", "Project Coordinator",
        "Program Coordinator", "Construction Project Manager", "Engineering Program Manager", "Release Manager",
        "Technical Project Manager", "Project Management Officer", "Portfolio Manager, PMO",
        "Projektmanager (m/w/d)", "Projektleiter IT (m/w/d)", "Chef de Projet", "Jefe de Proyecto",
        "Program Manager, Operations", "Implementation Project Manager", "Digital Project Manager",
        "Hardware Program Manager", "Technical Program Manager, Infrastructure", "Project Manager - Data Center",
        "Agile Delivery Lead", "Program Director",
    ],
    "Product Designer": [
        "Product Designer", "UX Designer", "UI Designer", "UI/UX Designer", "UX/UI Designer", "Interaction Designer",
        "Visual Designer", "UX Researcher", "User Researcher", "Design Lead", "Head of Design", "Staff Product Designer",
        "Product Designer, Growth", "Senior Product Designer - Mobile", "Graphic Designer", "Brand Designer",
        "Motion Designer", "Content Designer", "UX Writer", "Service Designer", "Design Systems Designer",
        "Product Designer (m/w/d)", "UX-Designer (m/w/d)", "Designer UX", "Diseñador UX/UI", "Web Designer",
        "Design Manager", "Principal Designer", "Illustrator", "Creative Director",
    ],
    "Technical Writer": [
        "Technical Writer", "Senior Technical Writer", "Documentation Engineer", "API Technical Writer",
        "Technical Documentation Specialist", "Documentation Writer", "Developer Documentation Writer",
        "Technical Writer, Developer Docs", "Technical Content Writer", "Information Developer",
        "Technical Editor", "Docs Engineer", "Technischer Redakteur (m/w/d)", "Rédacteur Technique",
        "Redactor Técnico", "Technical Author", "Knowledge Base Writer", "Technical Writer - Hardware",
        "Documentation Manager", "Technical Communicator", "Proposal Writer",
    ],
    "Account Executive / Sales": [
        "Account Executive", "Enterprise AE, EMEA", "Enterprise Account Executive", "Mid-Market Account Executive",
        "SMB Account Executive", "Sales Development Representative", "SDR", "BDR", "Business Development Representative",
        "Sales Representative", "Inside Sales Representative", "Outside Sales Representative", "Sales Manager",
        "Regional Sales Manager", "Sales Director", "Director of Sales", "Head of Sales", "Account Manager",
        "Key Account Manager", "Strategic Account Executive", "Business Development Manager", "Partnerships Manager",
        "Channel Sales Manager", "Sales Executive", "Sales Associate, B2B", "Territory Sales Manager",
        "Account Executive, Public Sector", "Vertriebsmitarbeiter (m/w/d)", "Key Account Manager (m/w/d)",
        "Commercial", "Ejecutivo de Ventas", "Sales Specialist", "Named Account Executive", "Founding AE",
        "Enterprise Sales Executive", "Renewals Manager", "Alliance Manager",
    ],
    "Sales Engineer": [
        "Sales Engineer", "Solutions Engineer", "Pre-Sales Engineer", "Presales Consultant", "Technical Sales Engineer",
        "Senior Solutions Engineer", "Customer Engineer", "Field Engineer (Pre-Sales)", "Sales Engineer, Enterprise",
        "Solutions Consultant", "Technical Account Executive", "Value Engineer", "Pre-Sales Solutions Architect",
        "Solutions Engineer, EMEA", "Sales Engineer - Security", "Vertriebsingenieur (m/w/d)", "Ingénieur Avant-Vente",
        "Ingeniero de Preventa", "Demo Engineer", "Partner Sales Engineer", "Systems Engineer (Pre-Sales)",
        "Forward Deployed Solutions Engineer",
    ],
    "Customer Success": [
        "Customer Success Manager", "CSM", "Customer Success Manager, Enterprise", "Technical Account Manager",
        "Customer Success Specialist", "Client Success Manager", "Implementation Manager", "Implementation Specialist",
        "Onboarding Specialist", "Onboarding Manager", "Customer Onboarding Manager", "Head of Customer Success",
        "Director of Customer Success", "Customer Success Associate", "Renewals Specialist", "Client Partner",
        "Customer Success Engineer", "Account Manager, Customer Success", "Kundenbetreuer (m/w/d)",
        "Customer Success Manager (m/w/d)", "Responsable Succès Client", "Gerente de Éxito del Cliente",
        "Professional Services Consultant", "Implementation Consultant", "Customer Experience Manager",
        "Client Services Manager", "Engagement Manager",
    ],
    "Customer Support": [
        "Customer Support Representative", "Customer Service Representative", "Support Specialist",
        "Technical Support Engineer", "Technical Support Specialist", "Customer Support Specialist",
        "Support Engineer", "Customer Care Agent", "Call Center Agent", "Customer Support Agent",
        "Customer Service Associate", "Support Agent", "Tier 1 Support", "Customer Support Lead",
        "Head of Customer Support", "Customer Support Manager", "Product Support Specialist", "Chat Support Agent",
        "Kundenservice Mitarbeiter (m/w/d)", "Conseiller Client", "Agente de Atención al Cliente",
        "Member Services Representative", "Player Support Agent", "Customer Service Advisor", "Escalations Specialist",
        "Technical Support Analyst", "Support Operations Specialist", "Bilingual Customer Service Representative",
    ],
    "Marketing": [
        "Marketing Manager", "Head of Growth", "Growth Marketing Manager", "Product Marketing Manager", "PMM",
        "Content Marketing Manager", "Content Marketer", "SEO Specialist", "SEO Manager", "SEM Specialist",
        "Performance Marketing Manager", "Demand Generation Manager", "Digital Marketing Specialist",
        "Social Media Manager", "Brand Manager", "Communications Manager", "PR Manager", "Copywriter",
        "Marketing Coordinator", "Email Marketing Specialist", "Lifecycle Marketing Manager", "Field Marketing Manager",
        "Developer Advocate", "Developer Relations Engineer", "Community Manager", "Marketing Operations Manager",
        "Director of Marketing", "Head of Marketing", "Growth Manager", "Marketing Analyst", "Event Marketing Manager",
        "Marketing Manager (m/w/d)", "Online Marketing Manager (m/w/d)", "Responsable Marketing",
        "Especialista en Marketing Digital", "Partner Marketing Manager", "Influencer Marketing Manager",
        "Paid Social Specialist", "Marketing Intern", "Public Relations Specialist",
    ],
    "Recruiting": [
        "Recruiter", "Technical Recruiter", "Senior Technical Recruiter", "Talent Acquisition Partner",
        "Talent Acquisition Specialist", "Talent Acquisition Manager", "Head of Talent Acquisition", "Sourcer",
        "Technical Sourcer", "Recruiting Coordinator", "Recruiting Manager", "University Recruiter",
        "Campus Recruiter", "Executive Recruiter", "Recruitment Consultant", "Talent Partner", "Recruiting Lead",
        "Recruiter (m/w/d)", "Talent Acquisition Specialist (m/w/d)", "Chargé de Recrutement", "Reclutador",
        "Recruiting Operations Specialist", "Agency Recruiter", "Healthcare Recruiter", "Director of Recruiting",
        "Talent Scout", "Recruitment Business Partner",
    ],
    "People / HR": [
        "HR Business Partner", "HRBP", "Human Resources Generalist", "HR Generalist", "HR Manager",
        "People Operations Manager", "People Partner", "People Operations Specialist", "Head of People",
        "VP People", "Compensation Analyst", "Compensation & Benefits Manager", "Benefits Specialist",
        "HR Coordinator", "HR Assistant", "Learning and Development Manager", "L&D Specialist",
        "Employee Relations Specialist", "HRIS Analyst", "Chief People Officer", "Director of Human Resources",
        "Personalreferent (m/w/d)", "HR Manager (m/w/d)", "Responsable RH", "Gerente de Recursos Humanos",
        "People Experience Manager", "Total Rewards Manager", "DEI Program Manager", "Workplace Experience Manager",
        "Human Resources Specialist",
    ],
    "Finance / Accounting": [
        "Accountant", "Senior Accountant", "Staff Accountant", "Controller", "Financial Controller",
        "Financial Analyst", "FP&A Analyst", "FP&A Manager", "Finance Manager", "Bookkeeper", "Accounts Payable Specialist",
        "Accounts Receivable Specialist", "Payroll Specialist", "Tax Manager", "Tax Accountant", "Auditor",
        "Internal Auditor", "Treasury Analyst", "Revenue Accountant", "Billing Specialist", "Head of Finance",
        "Director of Finance", "Finance Business Partner", "Buchhalter (m/w/d)", "Finanzbuchhalter (m/w/d)",
        "Comptable", "Contador", "Assistant Controller", "Accounting Manager", "Credit Analyst",
        "Investment Analyst", "Corporate Development Associate", "Finance Intern", "Cost Accountant",
    ],
    "Legal": [
        "Legal Counsel", "Senior Legal Counsel", "Corporate Counsel", "General Counsel", "Associate General Counsel",
        "Attorney", "Lawyer", "Paralegal", "Legal Assistant", "Legal Operations Manager", "Privacy Counsel",
        "Product Counsel", "Commercial Counsel", "Employment Counsel", "Contracts Manager", "Compliance Counsel",
        "Compliance Manager", "Compliance Officer", "Regulatory Counsel", "IP Counsel", "Patent Attorney",
        "Syndikusrechtsanwalt (m/w/d)", "Juriste", "Abogado", "Legal Intern", "Litigation Associate",
        "Head of Legal", "Legal Specialist", "Data Protection Officer",
    ],
    "Operations": [
        "Operations Manager", "Business Operations Manager", "Strategy & Operations Manager", "BizOps Analyst",
        "Operations Analyst", "Operations Associate", "Revenue Operations Manager", "RevOps Analyst",
        "Sales Operations Manager", "Supply Chain Manager", "Supply Chain Analyst", "Logistics Coordinator",
        "Logistics Manager", "Procurement Specialist", "Procurement Manager", "Buyer", "Office Manager",
        "Facilities Manager", "Chief of Staff", "Executive Assistant", "Operations Coordinator", "Fleet Manager",
        "Warehouse Operations Manager", "Operations Lead", "Head of Operations", "Director of Operations",
        "Betriebsleiter (m/w/d)", "Operations Manager (m/w/d)", "Responsable des Opérations", "Gerente de Operaciones",
        "Trust & Safety Operations Specialist", "Vendor Manager", "Inventory Analyst", "Demand Planner",
        "Administrative Assistant", "Office Coordinator",
    ],
    "Business Analyst": [
        "Business Analyst", "Senior Business Analyst", "Business Systems Analyst", "IT Business Analyst",
        "Systems Analyst", "Business Process Analyst", "Requirements Analyst", "Functional Analyst",
        "Salesforce Business Analyst", "ERP Business Analyst", "SAP Functional Consultant", "Business Analyst, Payments",
        "Business Analyst II", "Product Business Analyst", "Business Analyst (m/w/d)", "Analyste Métier",
        "Analista de Negocio", "Technical Business Analyst", "Business Architect", "Process Improvement Analyst",
        "Business Consultant", "Management Consultant", "Strategy Analyst",
    ],
    "Nursing": [
        "Registered Nurse", "RN", "RN - ICU Nights", "RN, Med/Surg", "Registered Nurse - Emergency Department",
        "ICU Nurse", "ER Nurse", "Travel Nurse", "Travel RN - Telemetry", "Licensed Practical Nurse", "LPN",
        "Nurse Practitioner", "Family Nurse Practitioner", "Charge Nurse", "Clinical Nurse Specialist", "Nurse Manager",
        "Director of Nursing", "Home Health Nurse", "School Nurse", "Labor & Delivery RN", "Pediatric Nurse",
        "Oncology Nurse", "Operating Room Nurse", "Nurse Educator", "Staff Nurse", "Per Diem RN",
        "Gesundheits- und Krankenpfleger (m/w/d)", "Pflegefachkraft (m/w/d)", "Infirmier", "Enfermera",
        "Certified Nursing Assistant", "CNA", "Psychiatric Nurse", "Dialysis Nurse", "Case Manager RN",
    ],
    "Teaching / Education": [
        "Teacher", "High School Math Teacher", "Elementary School Teacher", "Middle School Science Teacher",
        "English Teacher", "ESL Teacher", "Special Education Teacher", "Substitute Teacher", "Instructor",
        "Lecturer", "Assistant Professor", "Professor of Computer Science", "Adjunct Professor", "Tutor",
        "Online Tutor", "Teaching Assistant", "Curriculum Developer", "Instructional Designer", "Bootcamp Instructor",
        "Coding Instructor", "Preschool Teacher", "Kindergarten Teacher", "Lehrer (m/w/d)", "Lehrkraft Mathematik",
        "Professeur", "Profesor", "Academic Coach", "Education Coordinator", "Math Tutor", "Course Facilitator",
        "Technical Trainer", "Corporate Trainer",
    ],
    "Executive": [
        "Chief Executive Officer", "CEO", "Chief Technology Officer", "CTO", "Chief Financial Officer", "CFO",
        "Chief Operating Officer", "COO", "Chief Marketing Officer", "CMO", "Chief Product Officer", "CPO",
        "Chief Information Officer", "CIO", "Chief Information Security Officer", "CISO", "Chief Revenue Officer", "CRO",
        "VP of Engineering", "Vice President, Engineering", "VP Engineering", "SVP, Product", "EVP Operations",
        "VP of Sales", "VP Marketing", "VP Finance", "President", "General Manager", "Managing Director",
        "Co-Founder & CTO", "Founder", "Geschäftsführer (m/w/d)", "Directeur Général", "Director General",
        "Chief Data Officer", "Chief Scientist", "Chief AI Officer", "VP, Data Science", "Country Manager",
        "Executive Director",
    ],
    "Other": [
        "Barista", "Truck Driver", "CDL-A Truck Driver", "Delivery Driver", "Warehouse Associate", "Forklift Operator",
        "Electrician", "Journeyman Electrician", "Plumber", "HVAC Technician", "Line Cook", "Chef de Partie",
        "Sous Chef", "Cashier", "Retail Sales Associate", "Store Manager", "Security Guard", "Janitor", "Custodian",
        "Housekeeper", "Pharmacist", "Pharmacy Technician", "Physician", "Family Medicine Physician", "Surgeon",
        "Physical Therapist", "Occupational Therapist", "Dental Hygienist", "Dental Assistant", "Medical Assistant",
        "Veterinarian", "Veterinary Technician", "Auto Mechanic", "Diesel Mechanic", "Welder", "Machinist",
        "CNC Operator", "Assembler", "Production Worker", "Construction Laborer", "Carpenter", "Painter",
        "Landscaper", "Caregiver", "Home Health Aide", "Server", "Bartender", "Host", "Dishwasher", "Hairstylist",
        "Real Estate Agent", "Insurance Agent", "Loan Officer", "Bank Teller", "Flight Attendant", "Pilot",
        "Civil Engineer", "Structural Engineer", "Architect (Buildings)", "Surveyor", "Lab Technician",
        "Phlebotomist", "Radiologic Technologist", "Respiratory Therapist", "Social Worker", "Counselor",
        "Psychologist", "Police Officer", "Firefighter", "Lifeguard", "Personal Trainer", "Photographer",
        "Video Editor", "Musician", "Actor", "Translator", "Interpreter", "Librarian", "Receptionist",
        "Dispatcher", "Mail Carrier", "Package Handler", "Stocker", "Butcher", "Baker", "Farmworker",
        "Lagerhelfer (m/w/d)", "Koch (m/w/d)", "Verkäufer (m/w/d)", "Serveur", "Camarero", "Conductor de Camión",
        "Pizza Delivery Driver", "Crew Member", "Shift Supervisor", "Valet Attendant", "Nanny", "Dog Walker",
        "Optician", "Massage Therapist", "Esthetician", "Sommelier", "Groundskeeper", "Maintenance Technician",
        "Quality Control Inspector", "Heavy Equipment Operator", "Roofer", "Electrician Apprentice",
    ],
}

# Compositional titles: (nouns, qualifiers) per family. Real titles combine a role noun
# with an area, a technology, a segment or a domain; sampling the combinations teaches the
# model the parts rather than whole strings.
COMPOSE: dict[str, tuple[list[str], list[str]]] = {
    "Backend Engineer": (
        ["Backend Engineer", "Backend Developer", "Software Engineer", "Software Developer", "SWE", "SDE",
         "Server Engineer", "Back-End Software Engineer", "Software Engineer, Backend", "Platform Backend Engineer"],
        ["Payments", "Billing", "Checkout", "Identity", "APIs", "Core Services", "Search", "Ads", "Messaging",
         "Marketplace", "Logistics", "Integrations", "Ledger", "Orders", "Notifications", "(Go)", "(Java)",
         "(Python)", "(Kotlin)", "(Node.js)", "(Scala)", "(Rust)", "(C#)", "(Ruby)", "(Elixir)", "Payments Infra",
         "Risk Platform", "Banking Core", "Trading", "Catalog", "Pricing Engine", "Auth"],
    ),
    "Frontend Engineer": (
        ["Frontend Engineer", "Front-End Developer", "UI Engineer", "Software Engineer, Frontend", "Web Developer",
         "React Developer", "Frontend Developer", "JavaScript Engineer"],
        ["Design Systems", "Checkout", "Dashboard", "Growth", "Web App", "(React)", "(Vue)", "(Angular)",
         "(TypeScript)", "Editor", "Accessibility", "Web Performance", "Storefront", "Onboarding", "Consumer Web"],
    ),
    "Full-Stack Engineer": (
        ["Full Stack Engineer", "Full-Stack Developer", "Fullstack Engineer", "Software Engineer, Full Stack",
         "Full Stack Software Engineer", "Product Engineer", "Full Stack Web Developer"],
        ["(React/Node)", "(Python/React)", "(Rails/React)", "(TypeScript)", "Internal Tools", "Growth",
         "Customer Experience", "Admin Tools", "(Django/Vue)", "(Next.js)", "B2B SaaS", "Marketplace", "(Laravel/Vue)",
         "Core Product", "(MERN)", "Workflow Automation"],
    ),
    "Mobile Engineer": (
        ["iOS Engineer", "Android Engineer", "Mobile Engineer", "iOS Developer", "Android Developer",
         "Software Engineer, iOS", "Software Engineer, Android", "Mobile Developer", "React Native Engineer",
         "Flutter Developer"],
        ["Payments", "Growth", "Consumer App", "(Swift)", "(Kotlin)", "(SwiftUI)", "(Jetpack Compose)", "Maps",
         "Camera", "Wallet", "Rider App", "Driver App", "Banking App", "Mobile Platform", "Offline Sync"],
    ),
    "Data Engineer": (
        ["Data Engineer", "Analytics Engineer", "Big Data Engineer", "ETL Developer", "Data Platform Engineer",
         "Software Engineer, Data", "Data Infrastructure Engineer", "Data Pipeline Engineer"],
        ["(Spark)", "(Airflow)", "(Snowflake)", "(dbt)", "(Kafka)", "(Databricks)", "(BigQuery)", "(Python, SQL)",
         "Streaming", "Lakehouse", "Ingestion", "Marketing Data", "Finance Data", "Customer Data Platform",
         "Data Warehouse", "Batch Pipelines", "Clickstream", "(Azure)", "(AWS Glue)", "Reverse ETL"],
    ),
    "Data Scientist": (
        ["Data Scientist", "Product Data Scientist", "Decision Scientist", "Applied Scientist", "Statistician",
         "Data Science Lead", "Quantitative Analyst"],
        ["Growth", "Experimentation", "Pricing", "Forecasting", "Risk", "Fraud", "Marketing", "Causal Inference",
         "Recommendations", "Supply Chain", "Healthcare", "Insurance", "Credit Risk", "Ads Measurement",
         "Customer Lifetime Value", "Churn", "A/B Testing", "(Python/R)", "Demand Forecasting", "Personalization"],
    ),
    "Data Analyst": (
        ["Data Analyst", "BI Analyst", "Business Intelligence Analyst", "Product Analyst", "Reporting Analyst",
         "Analytics Specialist", "Insights Analyst", "BI Developer"],
        ["Marketing", "Sales", "Operations", "Finance", "Product", "Customer", "Supply Chain", "Healthcare",
         "(SQL)", "(Tableau)", "(Power BI)", "(Looker)", "Growth", "E-commerce", "HR", "Revenue", "Retail"],
    ),
    "Machine Learning Engineer": (
        ["Machine Learning Engineer", "ML Engineer", "AI Engineer", "MLOps Engineer", "Software Engineer, ML",
         "Deep Learning Engineer", "Applied ML Engineer", "Software Engineer, Machine Learning"],
        ["ML Platform", "Recommendations", "Search Ranking", "Ads Ranking", "Computer Vision", "NLP", "LLMs",
         "Generative AI", "Model Serving", "Feature Store", "Fraud Detection", "Speech", "Perception",
         "Personalization", "Inference", "Training Infrastructure", "(PyTorch)", "(TensorFlow)", "Agents", "RAG"],
    ),
    "Site Reliability / DevOps Engineer": (
        ["Site Reliability Engineer", "SRE", "DevOps Engineer", "Platform Engineer", "Infrastructure Engineer",
         "Cloud Engineer", "Production Engineer", "Software Engineer, Infrastructure"],
        ["Kubernetes", "(AWS)", "(GCP)", "(Azure)", "(Terraform)", "Observability", "CI/CD", "Networking",
         "Compute", "Storage", "Databases", "Developer Productivity", "Build Systems", "Reliability",
         "Incident Response", "Edge", "Cloud Cost", "Service Mesh", "Linux", "Release Engineering"],
    ),
    "Security Engineer": (
        ["Security Engineer", "Security Analyst", "Application Security Engineer", "Cybersecurity Engineer",
         "Information Security Engineer", "Cloud Security Engineer", "SOC Analyst", "Detection Engineer"],
        ["AppSec", "Cloud", "Detection & Response", "Identity", "Red Team", "Threat Intelligence", "Vulnerability Management",
         "Incident Response", "Network Security", "Endpoint", "Zero Trust", "Penetration Testing", "GRC", "Product Security",
         "Infrastructure", "Cryptography"],
    ),
    "QA / Test Engineer": (
        ["QA Engineer", "QA Automation Engineer", "Test Engineer", "SDET", "Software Test Engineer", "QA Analyst",
         "Quality Assurance Engineer", "Test Automation Engineer"],
        ["(Selenium)", "(Cypress)", "(Playwright)", "Mobile", "API Testing", "Performance", "Manual Testing",
         "Payments", "Games", "Embedded", "Web", "Regression", "(Appium)", "Automation Framework"],
    ),
    "Embedded / Firmware Engineer": (
        ["Embedded Software Engineer", "Firmware Engineer", "Embedded Engineer", "Embedded Systems Engineer",
         "Firmware Developer", "Embedded Linux Engineer"],
        ["(C/C++)", "RTOS", "Bluetooth", "Wireless", "Automotive", "Medical Devices", "Robotics", "IoT",
         "Battery Management", "Motor Control", "Drivers", "Bootloader", "(ARM Cortex-M)", "Sensors", "Drones", "Avionics"],
    ),
    "Hardware Engineer": (
        ["Hardware Engineer", "Electrical Engineer", "ASIC Engineer", "FPGA Engineer", "PCB Designer",
         "Design Verification Engineer", "Mechanical Engineer", "Analog Design Engineer", "RF Engineer"],
        ["Power Electronics", "Sensors", "Silicon", "SoC", "Signal Integrity", "Board Design", "Thermal",
         "Enclosures", "Batteries", "Wireless", "Data Center Hardware", "Robotics", "Consumer Electronics",
         "Verification", "Physical Design", "Optics"],
    ),
    "Engineering Manager": (
        ["Engineering Manager", "Software Engineering Manager", "Director of Engineering", "Head of Engineering",
         "Manager, Software Engineering", "Software Development Manager", "Engineering Lead"],
        ["Backend", "Mobile", "Payments", "Data Platform", "Infrastructure", "ML", "Growth", "Frontend", "Security",
         "Developer Experience", "Core Product", "Search", "Reliability", "Platform", "Integrations"],
    ),
    "Solutions Architect": (
        ["Solutions Architect", "Cloud Architect", "Enterprise Architect", "Technical Architect", "Solution Architect",
         "Software Architect"],
        ["(AWS)", "(Azure)", "(GCP)", "Data & AI", "Integration", "Salesforce", "SAP", "Networking", "Security",
         "Public Sector", "Healthcare", "Financial Services", "Microsoft Dynamics", "Infrastructure"],
    ),
    "Database Administrator": (
        ["Database Administrator", "DBA", "Database Engineer", "Database Reliability Engineer"],
        ["(Oracle)", "(SQL Server)", "(PostgreSQL)", "(MySQL)", "(MongoDB)", "(Cassandra)", "(DB2)", "Production",
         "Cloud Databases", "Performance Tuning", "(Aurora)", "(Redis)"],
    ),
    "IT Support": (
        ["IT Support Specialist", "Help Desk Technician", "Desktop Support Technician", "IT Technician",
         "Service Desk Analyst", "System Administrator", "Network Administrator", "IT Support Engineer"],
        ["Tier 1", "Tier 2", "End User Computing", "Microsoft 365", "Windows", "Mac", "Jamf", "Active Directory",
         "Networking", "Onsite Support", "Hardware", "Identity", "Service Desk", "VoIP"],
    ),
    "Research Scientist": (
        ["Research Scientist", "Research Engineer", "Scientist", "Postdoctoral Researcher", "Research Fellow",
         "Staff Research Scientist", "Principal Scientist"],
        ["AI", "NLP", "Computer Vision", "Reinforcement Learning", "Alignment", "Interpretability", "Robotics",
         "Computational Biology", "Protein Design", "Drug Discovery", "Quantum Computing", "Materials",
         "Speech", "Generative Models", "Climate", "Neuroscience"],
    ),
    "Product Manager": (
        ["Product Manager", "Senior Product Manager", "Product Owner", "Technical Product Manager", "Group Product Manager",
         "Director of Product", "Product Lead", "PM"],
        ["Payments", "Growth", "AI", "Data Platform", "Mobile", "Checkout", "Search", "API Platform", "Identity",
         "Onboarding", "Monetization", "Developer Tools", "Marketplace", "B2B", "Consumer", "Risk"],
    ),
    "Project / Program Manager": (
        ["Project Manager", "Program Manager", "Technical Program Manager", "TPM", "Delivery Manager",
         "Scrum Master", "Project Coordinator", "Engineering Program Manager"],
        ["Infrastructure", "Data Center", "IT", "Construction", "Hardware", "ERP Implementation", "Cloud Migration",
         "Operations", "Product Launches", "Security", "Supply Chain", "Digital Transformation", "Agile", "PMO"],
    ),
    "Product Designer": (
        ["Product Designer", "UX Designer", "UI/UX Designer", "UX Researcher", "Visual Designer", "Interaction Designer",
         "Design Lead", "Content Designer"],
        ["Mobile", "Growth", "Design Systems", "Payments", "Onboarding", "Enterprise", "Consumer", "Dashboard",
         "Accessibility", "E-commerce", "Healthcare", "Fintech", "Brand", "Web"],
    ),
    "Technical Writer": (
        ["Technical Writer", "Documentation Engineer", "Technical Documentation Specialist", "Documentation Writer",
         "Technical Content Writer", "Technical Editor"],
        ["API Documentation", "Developer Docs", "Hardware", "Cloud", "Security", "SDKs", "Medical Devices",
         "Software", "Release Notes", "Knowledge Base", "Aerospace", "Networking"],
    ),
    "Account Executive / Sales": (
        ["Account Executive", "AE", "Sales Executive", "Sales Representative", "Sales Manager", "Account Manager",
         "Business Development Representative", "Sales Development Representative", "Sales Director"],
        ["Enterprise", "Mid-Market", "SMB", "Commercial", "Strategic Accounts", "Public Sector", "Federal",
         "Healthcare", "Financial Services", "Retail", "EMEA", "DACH", "Nordics", "West", "East", "New Business",
         "Outbound", "Inside Sales", "Channel", "Partnerships"],
    ),
    "Sales Engineer": (
        ["Sales Engineer", "Solutions Engineer", "Pre-Sales Engineer", "Solutions Consultant", "Presales Consultant",
         "Customer Engineer", "Technical Sales Engineer"],
        ["Enterprise", "Security", "Data & AI", "Cloud", "Networking", "Public Sector", "Observability", "EMEA",
         "Strategic Accounts", "Commercial", "Partners", "Financial Services", "Mid-Market"],
    ),
    "Customer Success": (
        ["Customer Success Manager", "Technical Account Manager", "Implementation Manager", "Onboarding Specialist",
         "Customer Success Specialist", "Client Success Manager", "Implementation Consultant"],
        ["Enterprise", "Mid-Market", "SMB", "Strategic", "Healthcare", "EMEA", "Onboarding", "Renewals",
         "Key Accounts", "Digital", "Scaled", "Public Sector", "Partners"],
    ),
    "Customer Support": (
        ["Customer Support Representative", "Customer Service Representative", "Support Specialist",
         "Technical Support Engineer", "Customer Support Agent", "Support Engineer", "Customer Care Specialist"],
        ["Tier 1", "Tier 2", "Bilingual Spanish", "German Speaking", "Chat", "Phone", "Email", "Billing",
         "Escalations", "Weekend", "Payments", "Technical", "Enterprise", "Hardware"],
    ),
    "Marketing": (
        ["Marketing Manager", "Product Marketing Manager", "Growth Marketing Manager", "Content Marketing Manager",
         "Digital Marketing Specialist", "Demand Generation Manager", "Marketing Specialist", "Marketing Director"],
        ["Growth", "Lifecycle", "SEO", "Paid Social", "Brand", "Events", "Partner Marketing", "Enterprise",
         "Developer Marketing", "Email", "Performance", "Community", "Social Media", "B2B", "PR & Communications"],
    ),
    "Recruiting": (
        ["Recruiter", "Technical Recruiter", "Talent Acquisition Partner", "Talent Acquisition Specialist",
         "Sourcer", "Recruiting Coordinator", "Recruitment Consultant"],
        ["Engineering", "Go-To-Market", "Executive Search", "University", "Healthcare", "Sales Hiring", "Contract",
         "Hourly Hiring", "Leadership Hiring", "Technical Roles", "Product & Design", "EMEA"],
    ),
    "People / HR": (
        ["HR Business Partner", "People Partner", "HR Generalist", "HR Manager", "People Operations Specialist",
         "Compensation Analyst", "HR Coordinator", "Benefits Specialist"],
        ["Engineering", "Total Rewards", "Employee Relations", "Learning & Development", "HRIS", "Benefits",
         "Payroll & Benefits", "Onboarding", "Workplace", "Culture", "People Analytics", "Global Mobility"],
    ),
    "Finance / Accounting": (
        ["Accountant", "Senior Accountant", "Financial Analyst", "FP&A Analyst", "Controller", "Finance Manager",
         "Accounting Manager", "Tax Analyst"],
        ["Revenue", "Accounts Payable", "Accounts Receivable", "Payroll", "Tax", "Treasury", "Audit", "Consolidation",
         "Month-End Close", "Billing", "Cost Accounting", "Strategic Finance", "Corporate Finance", "Fixed Assets"],
    ),
    "Legal": (
        ["Legal Counsel", "Corporate Counsel", "Attorney", "Paralegal", "Compliance Manager", "Counsel",
         "Associate General Counsel"],
        ["Privacy", "Employment", "Commercial", "Product", "Litigation", "Intellectual Property", "Regulatory",
         "Securities", "M&A", "Contracts", "Data Protection", "Compliance", "Licensing"],
    ),
    "Operations": (
        ["Operations Manager", "Operations Analyst", "Business Operations Manager", "Operations Associate",
         "Operations Coordinator", "Supply Chain Analyst", "Logistics Coordinator", "Procurement Specialist"],
        ["Revenue Operations", "Sales Operations", "Marketplace", "Fleet", "Fulfillment", "Warehouse", "Vendor Management",
         "Strategy & Operations", "Trust & Safety", "Facilities", "Inventory", "Last Mile", "Business Operations",
         "Workplace"],
    ),
    "Business Analyst": (
        ["Business Analyst", "Business Systems Analyst", "Systems Analyst", "Business Process Analyst",
         "Functional Consultant", "Requirements Analyst"],
        ["ERP", "Salesforce", "SAP", "Payments", "Insurance", "Banking", "Healthcare", "CRM", "Workday", "Oracle",
         "Supply Chain", "Claims", "Lending", "Process Improvement"],
    ),
    "Nursing": (
        ["Registered Nurse", "RN", "LPN", "Nurse Practitioner", "Charge Nurse", "Travel Nurse", "Staff Nurse",
         "Licensed Vocational Nurse"],
        ["ICU", "Med/Surg", "Emergency Department", "Telemetry", "Labor & Delivery", "Pediatrics", "Oncology",
         "Operating Room", "PACU", "NICU", "Home Health", "Dialysis", "Psych", "Step-Down", "Float Pool",
         "Nights", "Cardiac"],
    ),
    "Teaching / Education": (
        ["Teacher", "Instructor", "Lecturer", "Tutor", "Professor", "Teaching Assistant", "Curriculum Developer",
         "Instructional Designer"],
        ["Math", "Science", "English", "ESL", "Special Education", "Computer Science", "Biology", "History",
         "Chemistry", "Music", "Spanish", "Elementary", "High School", "Middle School", "Coding Bootcamp", "Physics"],
    ),
    "Executive": (
        ["VP", "Vice President", "SVP", "EVP", "Chief", "Head", "General Manager", "Managing Director"],
        ["Engineering", "Product", "Sales", "Marketing", "Finance", "Operations", "Data", "Technology", "People",
         "Revenue", "Strategy", "Customer Success", "Growth", "Security"],
    ),
    "Other": (
        ["Technician", "Driver", "Associate", "Operator", "Attendant", "Assistant", "Worker", "Mechanic"],
        ["HVAC", "Warehouse", "Delivery", "Forklift", "Retail", "Pharmacy", "Veterinary", "Maintenance", "Kitchen",
         "Parking", "Housekeeping", "Dental", "Laboratory", "Automotive", "Production", "Landscaping"],
    ),
}


SENIORITY = ["", "", "", "Senior ", "Sr. ", "Sr ", "Junior ", "Jr. ", "Lead ", "Staff ", "Principal ", "Associate ",
             "Entry Level ", "Mid-Level ", "Graduate ", "Intern - ", "Trainee "]
LEVELS = ["", "", "", " I", " II", " III", " IV", " 2", " 3", " (L4)", " (L5)", " - Level 3", ", Senior", " (Senior)"]
SUFFIXES = ["", "", "", "", " - Remote", " (Remote)", " - Remote, US", " (Hybrid)", " - NYC", ", London",
            " - San Francisco, CA", " (m/f/d)", " (m/w/d)", " (f/m/x)", " - Berlin (m/f/d)", " – Austin, TX",
            " | Toronto", " - US Remote", " (Req #4821)", " [R-10392]", " - JR104553", " #2291", " - Bangalore",
            " (Contract)", " - 12 Month Contract", " - Part Time", " (Full-time)", " - Night Shift",
            " (Onsite)", " - EMEA", ", APAC", " (Seattle, WA)", " - Hybrid in Munich", " (all genders)", " (H/F)"]
NON_SENIOR = {"Intern", "CEO", "CTO", "CFO", "COO", "CMO", "CPO", "CIO", "CISO", "CRO", "Founder"}


def variants(base: str, rng: random.Random, k: int) -> list[str]:
    out = [base]
    tries = 0
    while len(out) < k and tries < k * 10:
        tries += 1
        title = base
        if not any(w in base for w in NON_SENIOR) and rng.random() < 0.6:
            title = rng.choice(SENIORITY) + title
        if rng.random() < 0.25:
            title += rng.choice(LEVELS)
        if rng.random() < 0.55:
            title += rng.choice(SUFFIXES)
        if rng.random() < 0.08:
            title = title.upper()
        elif rng.random() < 0.05:
            title = title.lower()
        if title not in out:
            out.append(title)
    return out


def compose(role: str, rng: random.Random, count: int) -> list[str]:
    nouns, quals = COMPOSE[role]
    combos = []
    for n in nouns:
        for q in quals:
            if role == "Executive":
                combos.append(f"{n} of {q}" if n in ("VP", "Vice President", "Head", "Chief") else f"{n}, {q}")
            elif role == "Other":
                combos.append(f"{q} {n}")
            elif q.startswith("("):
                combos.append(f"{n} {q}")
            else:
                combos.append(rng.choice([f"{n}, {q}", f"{n} - {q}", f"{q} {n}"]))
    rng.shuffle(combos)
    return combos[:count]


def make(seed: int = 36) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    for role, bases in FAMILIES.items():
        per_base = max(2, round(60 / len(bases)) + 1) if role != "Other" else 2
        titles = [t for base in bases for t in variants(base, rng, per_base)]
        for base in compose(role, rng, 70):
            titles += variants(base, rng, 2)
        for title in titles:
            if title.casefold() not in seen:
                seen.add(title.casefold())
                rows.append((title, role))
    return rows


def main() -> None:
    rows = make()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["title", "role"])
        w.writerows(rows)
    print(f"{len(rows)} titles → {OUT}")


if __name__ == "__main__":
    main()
